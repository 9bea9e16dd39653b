"""Batch grading throughput: `convgrade batch --jobs 2` on generated submissions versus sequential
`nbgrader autograde` of the same submissions as notebooks, in one run.

    python benchmarks/bench_batch.py [--count 100] [--jobs 2] [--repeats 3] [--nbgrader-sample K] [--no-nbgrader]

Every fourth submission is the correct autograder/assignments/conv_step_by_step/examples/course_loops.py; the others replace one of its
functions (every fourth of them: two) with a file from tests/submissions/mistakes/ (those of this
assignment's functions), cycling through them.
convgrade grades them as .py files, and again as notebooks: the course release
(assignments/conv_step_by_step/) with its solution cells filled, laid out as nbgrader's submitted/ folder.
nbgrader autogrades those notebooks in a course made by `nbgrader generate_assignment` from solutions/. Both
grade the hidden cases (the seed in solutions/grader.toml). convgrade's times are medians of --repeats
runs (each grading everything into a fresh results folder); nbgrader runs once. With --nbgrader-sample K,
nbgrader grades only the first K notebooks and its time for all of them is extrapolated from its time per
notebook (labelled so).

A rerun with nothing to grade is timed too, alternating two ways: as now (report.html records what it was
made from, and nothing changed), and as before (report.html without that record: every report is read and
every feedback page and chart drawn again).
"""
from __future__ import annotations

import argparse
import ast
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORRECT = REPO / "autograder" / "assignments" / "conv_step_by_step" / "examples" / "course_loops.py"
MISTAKES = sorted((REPO / "tests" / "submissions" / "mistakes").glob("*.py"))
ASSIGNMENT = "conv_step_by_step"
RELEASE = REPO / "assignments" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
BIN = Path(sys.executable).parent


def functions(source: str) -> dict[str, str]:
    """The top-level functions of a module: name -> source."""
    tree = ast.parse(source)
    return {node.name: ast.get_source_segment(source, node) for node in tree.body if isinstance(node, ast.FunctionDef)}


def generate(count: int) -> list[dict[str, str]]:
    """``count`` submissions as function name -> source: correct ones and ones with known mistakes."""
    correct = functions(CORRECT.read_text())
    wrong = [found for found in (functions(path.read_text()) for path in MISTAKES) if found.keys() <= correct.keys()]
    made, cursor = [], 0
    for k in range(count):
        submission = dict(correct)
        for _ in range(0 if k % 4 == 0 else 2 if k % 4 == 3 else 1):
            submission.update(wrong[cursor % len(wrong)])
            cursor += 1
        made.append(submission)
    return made


def as_python(submission: dict[str, str]) -> str:
    return "import numpy as np\n\n\n" + "\n\n\n".join(submission.values()) + "\n"


def as_notebook(release: dict, submission: dict[str, str]) -> dict:
    """The release with each solution cell (grade_id <function>_solution) holding the submission's function."""
    notebook = json.loads(json.dumps(release))
    for cell in notebook["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("solution") and meta.get("grade_id", "").endswith("_solution"):
            cell["source"] = submission[meta["grade_id"].removesuffix("_solution")]
    return notebook


def write_submissions(work: Path, made: list[dict[str, str]], sample: int) -> tuple[Path, Path, Path]:
    """The .py folder, the notebook folder (nbgrader's submitted/ layout) and an nbgrader course holding
    the first ``sample`` notebooks."""
    python, notebooks, course = work / "py", work / "notebooks" / "submitted", work / "course"
    release = json.loads(RELEASE.read_text())
    for k, submission in enumerate(made):
        student = f"student_{k:03}"
        (python / f"{student}.py").parent.mkdir(parents=True, exist_ok=True)
        (python / f"{student}.py").write_text(as_python(submission))
        text = json.dumps(as_notebook(release, submission))
        for folder in [notebooks] + [course / "submitted"] * (k < sample):
            path = folder / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
    return python, notebooks, course


def time_convgrade(folder: Path, out: Path, jobs: int, count: int) -> float:
    shutil.rmtree(out, ignore_errors=True)
    start = time.perf_counter()
    result = subprocess.run([str(BIN / "convgrade"), "batch", str(folder), "--jobs", str(jobs), "--quiet",
                             "--out", str(out)], cwd=REPO, capture_output=True, text=True, check=True)
    seconds = time.perf_counter() - start
    assert f"{count} graded" in result.stdout, result.stdout
    return seconds


def time_rerun(folder: Path, out: Path, jobs: int, rebuild: bool) -> float:
    """A rerun into ``out`` with nothing to grade; with ``rebuild``, report.html first loses the record of its
    inputs, so the rerun rebuilds every output as every rerun did before."""
    if rebuild:
        html = out / "report.html"
        text = html.read_text()
        html.write_text(text[:text.rindex("<!-- convgrade inputs ")])
    start = time.perf_counter()
    result = subprocess.run([str(BIN / "convgrade"), "batch", str(folder), "--jobs", str(jobs), "--quiet",
                             "--out", str(out)], cwd=REPO, capture_output=True, text=True, check=True)
    seconds = time.perf_counter() - start
    assert " 0 graded" in result.stdout, result.stdout
    return seconds


def nbgrader(course: Path, *args: str) -> None:
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}  # nbgrader runs `alembic`
    subprocess.run([str(BIN / "nbgrader"), *args, f"--CourseDirectory.root={course}"], cwd=course, env=env,
                   capture_output=True, text=True, check=True)


def time_nbgrader(course: Path) -> float:
    shutil.copy(REPO / "nbgrader_config.py", course)
    shutil.copytree(REPO / "solutions", course / "solutions")
    nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
    start = time.perf_counter()
    nbgrader(course, "autograde", ASSIGNMENT)
    return time.perf_counter() - start


def agreement(course: Path, out: Path, sample: int) -> int:
    """On how many of the sample nbgrader's total equals convgrade's."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        agreeing = 0
        for k in range(sample):
            student = f"student_{k:03}"
            report = json.loads((out / "reports" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb.json").read_text())
            agreeing += abs(gradebook.find_submission(ASSIGNMENT, student).score - report["score"]) < 1e-6
    return agreeing


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3, help="convgrade runs per format (median)")
    parser.add_argument("--nbgrader-sample", type=int, metavar="K",
                        help="autograde only K notebooks with nbgrader and extrapolate to --count")
    parser.add_argument("--no-nbgrader", action="store_true", help="time convgrade only")
    args = parser.parse_args(argv)
    sample = min(args.nbgrader_sample or args.count, args.count)
    made = generate(args.count)
    with tempfile.TemporaryDirectory(prefix="convgrade-bench-") as work:
        python, notebooks, course = write_submissions(Path(work), made, sample)
        py_runs = [time_convgrade(python, Path(work, "results-py"), args.jobs, args.count) for _ in range(args.repeats)]
        nb_runs = [time_convgrade(notebooks, Path(work, "results-nb"), args.jobs, args.count)
                   for _ in range(args.repeats)]
        reruns = {"before": [], "now": []}
        for _ in range(args.repeats):
            for name in reruns:
                reruns[name].append(time_rerun(notebooks, Path(work, "results-nb"), args.jobs, name == "before"))
        py_seconds, nb_seconds = statistics.median(py_runs), statistics.median(nb_runs)
        print("rerun with nothing to grade (notebooks), s: " + "; ".join(
            f"{name} {statistics.median(values):.2f} [{min(values):.2f}-{max(values):.2f}]"
            for name, values in reruns.items())
              + f"; before / now: {statistics.median(reruns['before']) / statistics.median(reruns['now']):.1f}x")
        print(f"convgrade batch --jobs {args.jobs}: .py {py_seconds:.1f} s [{min(py_runs):.1f}-{max(py_runs):.1f}] "
              f"(target < 8 s), notebooks {nb_seconds:.1f} s [{min(nb_runs):.1f}-{max(nb_runs):.1f}] (target < 15 s)")
        if args.no_nbgrader:
            return
        nbgrader_sample_seconds = time_nbgrader(course)
        agreeing = agreement(course, Path(work, "results-nb"), sample)
    per_notebook = nbgrader_sample_seconds / sample
    nbgrader_seconds = per_notebook * args.count
    correct = sum(submission == made[0] for submission in made)  # made[0] is the correct file
    label = "measured" if sample == args.count else f"EXTRAPOLATED from {sample} notebooks"
    print(f"{args.count} submissions ({correct} correct, {args.count - correct} with 1 or 2 known mistakes), "
          f"public and hidden cases; {os.cpu_count()} CPUs")
    print(f"| {'grader':<44} | {'seconds':>8} | {'submissions/s':>13} |")
    print(f"|{'-' * 46}|{'-' * 10}|{'-' * 15}|")
    for name, seconds in ((f"convgrade batch --jobs {args.jobs}, .py files", py_seconds),
                          (f"convgrade batch --jobs {args.jobs}, notebooks", nb_seconds),
                          ("nbgrader autograde, sequential, notebooks", nbgrader_seconds)):
        print(f"| {name:<44} | {seconds:8.1f} | {args.count / seconds:13.2f} |")
    print(f"convgrade runs (s): .py {', '.join(f'{t:.1f}' for t in py_runs)}; "
          f"notebooks {', '.join(f'{t:.1f}' for t in nb_runs)}")
    print(f"nbgrader: {per_notebook:.2f} s per notebook, {label} ({nbgrader_sample_seconds:.1f} s for {sample})")
    print(f"throughput convgrade / nbgrader: {nbgrader_seconds / py_seconds:.1f}x on .py files, "
          f"{nbgrader_seconds / nb_seconds:.1f}x on the same notebooks (target >= 20x on notebooks: "
          f"{'met' if nbgrader_seconds / nb_seconds >= 20 else 'NOT met'})")
    if args.count == 100:
        print(f"100 .py submissions in {py_seconds:.1f} s (target < 8 s: {'met' if py_seconds < 8 else 'NOT met'}); "
              f"100 notebooks in {nb_seconds:.1f} s (target < 15 s: {'met' if nb_seconds < 15 else 'NOT met'})")
    print(f"scores: nbgrader and convgrade agree on {agreeing} of {sample} notebooks")


if __name__ == "__main__":
    main()
