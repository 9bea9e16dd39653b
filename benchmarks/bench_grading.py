"""Wall time to grade one correct loop-based submission fully (public + hidden cases), and its parts,
at each isolation level this machine offers, side by side; and a filled course notebook, with and without
the speed paths that cannot change a grade.

    python benchmarks/bench_grading.py [--repeats 15]

Prints medians (and ranges): the whole `convgrade grade` command (interpreter start, imports, grading) on the
.py file and on the course's solved notebook, grading in process, and within it the sandbox start-up
(bubblewrap, child interpreter + numpy + loading the submission), the exercise runs (helper calls answered
over the channel included), the parent's judging, and the sandbox's teardown. Targets: < 1 s for the .py
command, < 0.5 s for the notebook's. The ratio of each level to "none" is what isolation costs.

The notebook is also loaded as it was before the speed paths, alternating with the current way: every code
cell, the release's figure cells included, with real matplotlib (a first cell takes the sandbox's plotting
stand-ins off the import path, as student code could). The ratio of the two is what they save.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from autograder.judging import grade_exercise
from autograder.registry import by_name
from autograder.sandbox import Cell, Isolation, Limits, Sandbox, detect
from autograder.submission import notebook_cells, plain_python, read_cells

REPO = Path(__file__).resolve().parents[1]
SUBMISSION = REPO / "autograder" / "assignments" / "conv_step_by_step" / "examples" / "course_loops.py"
NOTEBOOK = REPO / "solutions" / "conv_step_by_step" / "conv_step_by_step.ipynb"
SEED = 1
REAL_MATPLOTLIB = Cell("before", "import sys\n"
                                 "sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != 'PlottingStandIns']")


def every_cell(path: Path) -> list[Cell]:
    """The notebook's code cells as they ran before the speed paths: all but nbgrader's grade cells."""
    return [Cell(f"cell {index + 1}", source) for index, cell in enumerate(notebook_cells(path))
            if cell.get("cell_type") == "code" and not cell.get("metadata", {}).get("nbgrader", {}).get("grade")
            and (source := plain_python("".join(cell.get("source", "")))) is not None]


def load_seconds(cells: list[Cell]) -> float:
    """Start a sandbox, load ``cells`` (no errors allowed), tear it down."""
    start = time.perf_counter()
    with Sandbox(cells, Limits()) as sandbox:
        load = sandbox.load()
    assert not load.errors, load.errors
    return time.perf_counter() - start


def grade_in_phases(isolation: Isolation) -> dict[str, float]:
    times = {"start-up": 0.0, "runs": 0.0, "judging": 0.0}
    begin = time.perf_counter()
    with Sandbox(read_cells(SUBMISSION), Limits(), isolation) as sandbox:
        load = sandbox.load()
        times["start-up"] = time.perf_counter() - begin
        for exercise in by_name("conv_step_by_step").checks(SEED).exercises:
            cases = exercise.cases()
            start = time.perf_counter()
            run = sandbox.run(exercise.spec.name, [(case.id, case.args) for case in cases], exercise.helpers())
            middle = time.perf_counter()
            result = grade_exercise(exercise, cases, run, load, Limits())
            assert result.status == "passed", result.feedback
            times["runs"] += middle - start
            times["judging"] += time.perf_counter() - middle
        closing = time.perf_counter()
    times["teardown"] = time.perf_counter() - closing
    times["grading in process"] = time.perf_counter() - begin
    return times


def command_seconds(path: Path = SUBMISSION) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "autograder.cli", "grade", str(path)], check=True,
                   capture_output=True, env={"CONVGRADE_HIDDEN_SEED": str(SEED), "PATH": os.environ["PATH"]})
    return time.perf_counter() - start


def levels() -> list[Isolation]:
    """The detected level, the weaker ones this machine can also run, and no isolation at all."""
    found = detect()
    order = ["root", "userns", "none"]
    return [Isolation(level) for level in order[order.index(found.level):]]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args(argv)
    isolations = levels()
    for isolation in isolations:
        grade_in_phases(isolation)  # warm the file cache
    phases = {isolation.level: [] for isolation in isolations}
    for _ in range(args.repeats):  # the levels alternate, so load on the machine hits them alike
        for isolation in isolations:
            phases[isolation.level].append(grade_in_phases(isolation))
    commands, notebooks = [], []
    for _ in range(args.repeats):
        commands.append(command_seconds())
        notebooks.append(command_seconds(NOTEBOOK))
    now, before = read_cells(NOTEBOOK), [REAL_MATPLOTLIB, *every_cell(NOTEBOOK)]
    loads = {"before": [], "now": []}
    for _ in range(args.repeats):
        loads["before"].append(load_seconds(before))
        loads["now"].append(load_seconds(now))
    whole, notebook = statistics.median(commands), statistics.median(notebooks)
    print(f"grading {SUBMISSION.name} (loops, all cases), medians of {args.repeats} runs [min-max], ms")
    print(f"convgrade grade (command, {detect().level} level): {1000 * whole:.1f} "
          f"[{1000 * min(commands):.0f}-{1000 * max(commands):.0f}]; target < 1000 ms: "
          f"{'met' if whole < 1 else 'NOT met'}")
    print(f"convgrade grade {NOTEBOOK.name} (solved, all cases): {1000 * notebook:.1f} "
          f"[{1000 * min(notebooks):.0f}-{1000 * max(notebooks):.0f}]; target < 500 ms: "
          f"{'met' if notebook < 0.5 else 'NOT met'}")
    print("notebook start-up + loading + teardown, ms: " + "; ".join(
        f"{name} {1000 * statistics.median(values):.1f} [{1000 * min(values):.0f}-{1000 * max(values):.0f}]"
        for name, values in loads.items())
          + f"; before / now: {statistics.median(loads['before']) / statistics.median(loads['now']):.2f}x")
    keys = ("grading in process", "start-up", "runs", "judging", "teardown")
    print("| part | " + " | ".join(isolation.level for isolation in isolations) + " |")
    print("|---|" + "---:|" * len(isolations))
    for key in keys:
        cells = []
        for isolation in isolations:
            values = [p[key] for p in phases[isolation.level]]
            cells.append(f"{1000 * statistics.median(values):.1f} [{1000 * min(values):.0f}-{1000 * max(values):.0f}]")
        print(f"| {key} | " + " | ".join(cells) + " |")
    base = statistics.median(p["grading in process"] for p in phases["none"])
    for isolation in isolations[:-1]:
        level = statistics.median(p["grading in process"] for p in phases[isolation.level])
        print(f"isolation cost, {isolation.level} / none (grading in process): {level / base:.2f}x "
              f"(+{1000 * (level - base):.0f} ms)")


if __name__ == "__main__":
    main()
