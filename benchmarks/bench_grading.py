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

Two more pairs, each alternating in one run: grading in process with speculated helper calls (the student's
own helper answers, the parent checks afterwards) and with every helper call answered by the parent (as
before); and with the warm start (a fork of the fork server, root level) and with a cold start (bubblewrap,
a new interpreter, numpy's import) of every sandbox. A third pair is CPU time, not wall time: this
process's (the parent's) while it grades in process, checking speculated helper calls stacked
(``cnn_reference.stacked``) and one call at a time, as before. `convgrade check` is timed on the solved
notebook in a student's copy of the release (public cases only). Last, the machine's CPU time per grading
(every process's) of the .py and of the untouched stub (every function raises at once), alternating: the
stub's is what a grading costs before any student code runs.
"""
from __future__ import annotations

import argparse
import os
import statistics
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from autograder.course_grading import grade_path
from autograder.judging import grade_exercise
from autograder.reports import render
from autograder.registry import by_name
from autograder.sandbox import Cell, Isolation, Limits, Sandbox, detect, helper_calls, warm
from autograder.submission import notebook_cells, plain_python, read_cells

REPO = Path(__file__).resolve().parents[1]
SUBMISSION = REPO / "autograder" / "assignments" / "conv_step_by_step" / "examples" / "course_loops.py"
STUB = REPO / "tests" / "submissions" / "stub.py"  # every function still raises NotImplementedError
NOTEBOOK = REPO / "solutions" / "conv_step_by_step" / "conv_step_by_step.ipynb"
RELEASE = REPO / "assignments" / "conv_step_by_step"
SEED = 1
REAL_MATPLOTLIB = Cell("before", "import sys\n"
                                 "sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != 'PlottingStandIns']")


def every_cell(path: Path) -> list[Cell]:
    """The notebook's code cells as they ran before the speed paths: all but nbgrader's grade cells."""
    return [Cell(f"cell {index + 1}", source) for index, cell in enumerate(notebook_cells(path))
            if cell.get("cell_type") == "code" and not cell.get("metadata", {}).get("nbgrader", {}).get("grade")
            and (source := plain_python("".join(cell.get("source", "")))) is not None]


def load_seconds(cells: list[Cell]) -> float:
    """Start a sandbox, load ``cells`` (no errors allowed), tear it down. A cell may take a minute: the real
    matplotlib's import builds its font cache in the sandbox's fresh /tmp (about 1 s), and a stall of this
    machine once took that past the default 10 s."""
    start = time.perf_counter()
    with Sandbox(cells, Limits(cell_timeout=60, load_timeout=120)) as sandbox:
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


def command_seconds(path: Path = SUBMISSION, command: str = "grade") -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "autograder.cli", command, str(path)], check=True,
                   capture_output=True, env={"CONVGRADE_HIDDEN_SEED": str(SEED), "PATH": os.environ["PATH"]})
    return time.perf_counter() - start


def student_copy(folder: Path) -> Path:
    """The solved notebook in a student's copy of the release (beside its public checks)."""
    shutil.copy(RELEASE / "conv_step_by_step.checks.json", folder)
    return Path(shutil.copy(NOTEBOOK, folder / "conv_step_by_step.ipynb"))


def in_process_seconds(speculate: bool = True, cold: bool = False, stacked: bool = True,
                       clock=time.perf_counter) -> float:
    """Grade the .py in process, speculating or with every helper call answered by the parent, started warm
    or cold, checking speculated calls stacked or one at a time; timed by ``clock``."""
    original, min_stack = Sandbox.run, helper_calls.MIN_STACK
    os.environ[warm.COLD_START_VARIABLE] = "1" if cold else "0"
    Sandbox.run = lambda self, function, cases, helpers={}, speculate_=True: original(self, function, cases, helpers,
                                                                                       speculate)
    helper_calls.MIN_STACK = min_stack if stacked else sys.maxsize
    try:
        start = clock()
        report = grade_path(SUBMISSION, SEED)
        assert report.score == report.max_score, render(report, "text")
        return clock() - start
    finally:
        Sandbox.run, helper_calls.MIN_STACK = original, min_stack
        os.environ.pop(warm.COLD_START_VARIABLE)


def summary(values: list[float]) -> str:
    return f"{1000 * statistics.median(values):.1f} [{1000 * min(values):.0f}-{1000 * max(values):.0f}]"


def machine_cpu_seconds(path: Path, count: int) -> float:
    """The whole machine's CPU time (the grader's, its threads' and every sandbox process's, and whatever else
    runs meanwhile: alternate to share that) per grading of ``path`` in process, over ``count`` in a row."""
    start = _busy_seconds()
    for _ in range(count):
        grade_path(path, SEED)
    return (_busy_seconds() - start) / count


def _busy_seconds() -> float:
    """The machine's busy time since boot, from /proc/stat (user, nice, system, irq and softirq)."""
    with open("/proc/stat") as stat:
        user, nice, system, _, _, irq, softirq = map(int, stat.readline().split()[1:8])
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


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
    commands, notebooks, checks = [], [], []
    with tempfile.TemporaryDirectory() as folder:
        copy = student_copy(Path(folder))
        for _ in range(args.repeats):
            commands.append(command_seconds())
            notebooks.append(command_seconds(NOTEBOOK))
            checks.append(command_seconds(copy, "check"))
    pairs = {name: {"now": [], "before": []}
             for name in ("speculated helper calls", "warm start", "stacked checks (this process's CPU)")}
    in_process_seconds()
    for _ in range(args.repeats):
        pairs["speculated helper calls"]["now"].append(in_process_seconds())
        pairs["speculated helper calls"]["before"].append(in_process_seconds(speculate=False))
        for stacked, name in ((True, "now"), (False, "before")):
            pairs["stacked checks (this process's CPU)"][name].append(
                in_process_seconds(stacked=stacked, clock=time.process_time))
        if warm.wanted(detect()):
            pairs["warm start"]["now"].append(in_process_seconds())
            pairs["warm start"]["before"].append(in_process_seconds(cold=True))
    now, before = read_cells(NOTEBOOK), [REAL_MATPLOTLIB, *every_cell(NOTEBOOK)]
    loads = {"before": [], "now": []}
    for _ in range(args.repeats):
        loads["before"].append(load_seconds(before))
        loads["now"].append(load_seconds(now))
    cpu = {SUBMISSION.name: [], STUB.name: []}
    for _ in range(args.repeats):
        for path in (SUBMISSION, STUB):
            cpu[path.name].append(machine_cpu_seconds(path, 5))
    whole, notebook = statistics.median(commands), statistics.median(notebooks)
    print(f"grading {SUBMISSION.name} (loops, all cases), medians of {args.repeats} runs [min-max], ms")
    print(f"convgrade grade (command, {detect().level} level): {summary(commands)}; target < 1000 ms: "
          f"{'met' if whole < 1 else 'NOT met'}")
    print(f"convgrade grade {NOTEBOOK.name} (solved, all cases): {summary(notebooks)}; target < 500 ms: "
          f"{'met' if notebook < 0.5 else 'NOT met'}")
    print(f"convgrade check {NOTEBOOK.name} (a student's copy, public cases): {summary(checks)}; target < 500 ms: "
          f"{'met' if statistics.median(checks) < 0.5 else 'NOT met'}")
    for name, pair in pairs.items():
        if pair["now"]:
            ratio = statistics.median(pair["before"]) / statistics.median(pair["now"])
            print(f"{name} ({SUBMISSION.name} in process), ms: now {summary(pair['now'])}; "
                  f"before {summary(pair['before'])}; before / now: {ratio:.2f}x")
        else:
            print(f"{name}: not measured ({detect().level} level starts cold)")
    print("notebook start-up + loading + teardown, ms: " + "; ".join(
        f"{name} {summary(values)}" for name, values in loads.items())
          + f"; before / now: {statistics.median(loads['before']) / statistics.median(loads['now']):.2f}x")
    floor, graded = statistics.median(cpu[STUB.name]), statistics.median(cpu[SUBMISSION.name])
    print(f"machine CPU a grading (every process, in process, 5 in a row, alternating), ms: {SUBMISSION.name} "
          f"{summary(cpu[SUBMISSION.name])}; {STUB.name} (every function raises at once) {summary(cpu[STUB.name])}: "
          f"{floor / graded:.0%} of a grading is spent before any student code runs (a fresh process per exercise "
          f"run, the sandbox, judging)")
    keys = ("grading in process", "start-up", "runs", "judging", "teardown")
    print("| part | " + " | ".join(isolation.level for isolation in isolations) + " |")
    print("|---|" + "---:|" * len(isolations))
    for key in keys:
        cells = [summary([p[key] for p in phases[isolation.level]]) for isolation in isolations]
        print(f"| {key} | " + " | ".join(cells) + " |")
    base = statistics.median(p["grading in process"] for p in phases["none"])
    for isolation in isolations[:-1]:
        level = statistics.median(p["grading in process"] for p in phases[isolation.level])
        print(f"isolation cost, {isolation.level} / none (grading in process): {level / base:.2f}x "
              f"({1000 * (level - base):+.0f} ms)")


if __name__ == "__main__":
    main()
