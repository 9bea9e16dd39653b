"""Wall time to grade one correct loop-based submission fully (public + hidden cases), and its parts,
at each isolation level this machine offers, side by side.

    python benchmarks/bench_grading.py [--repeats 15]

Prints medians (and ranges): the whole `convgrade grade` command (interpreter start, imports, grading),
grading in process, and within it the sandbox start-up (bubblewrap, child interpreter + numpy + loading
the submission), the exercise runs (helper calls answered over the channel included), the parent's
judging, and the sandbox's teardown. Target: < 1 s for the command. The ratio of each level to "none"
is what isolation costs.
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
from autograder.sandbox import Isolation, Limits, Sandbox, detect
from autograder.submission import read_cells

SUBMISSION = Path(__file__).resolve().parents[1] / "autograder" / "examples" / "course_loops.py"
SEED = 1


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


def command_seconds() -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "autograder.cli", "grade", str(SUBMISSION)], check=True,
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
    commands = [command_seconds() for _ in range(args.repeats)]
    whole = statistics.median(commands)
    print(f"grading {SUBMISSION.name} (loops, all cases), medians of {args.repeats} runs [min-max], ms")
    print(f"convgrade grade (command, {detect().level} level): {1000 * whole:.1f} "
          f"[{1000 * min(commands):.0f}-{1000 * max(commands):.0f}]; target < 1000 ms: "
          f"{'met' if whole < 1 else 'NOT met'}")
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
