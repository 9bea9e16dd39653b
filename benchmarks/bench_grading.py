"""Wall time to grade one correct loop-based submission fully (public + hidden cases), and its parts.

    python benchmarks/bench_grading.py [--repeats 15]

Prints medians: the whole `convgrade grade` command (interpreter start, imports, grading), grading in
process, and within it the sandbox start-up (child interpreter + numpy + loading the submission), the
exercise runs, and the parent's judging (expected values, comparison, diagnosis). Target: < 1 s.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

from autograder.assignments import HELPERS
from autograder.exercises import EXERCISES
from autograder.grading import grade_exercise
from autograder.sandbox import Limits, Sandbox
from autograder.submission import read_cells

SUBMISSION = Path(__file__).resolve().parents[1] / "autograder" / "examples" / "course_loops.py"
SEED = 1


def grade_in_phases() -> dict[str, float]:
    times = {"start-up": 0.0, "runs": 0.0, "judging": 0.0}
    begin = time.perf_counter()
    with Sandbox(read_cells(SUBMISSION), Limits(), helpers=HELPERS) as sandbox:
        load = sandbox.load()
        times["start-up"] = time.perf_counter() - begin
        for exercise in EXERCISES:
            cases = exercise.cases(SEED)
            start = time.perf_counter()
            run = sandbox.run(exercise.name, exercise.helpers, [(case.id, case.args) for case in cases])
            middle = time.perf_counter()
            result = grade_exercise(exercise, cases, run, load, Limits())
            assert result.status == "passed", result.feedback
            times["runs"] += middle - start
            times["judging"] += time.perf_counter() - middle
    times["grading in process"] = time.perf_counter() - begin
    return times


def command_seconds() -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "autograder.cli", "grade", str(SUBMISSION)], check=True,
                   capture_output=True, env={"CONVGRADE_HIDDEN_SEED": str(SEED), "PATH": ""})
    return time.perf_counter() - start


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args(argv)
    grade_in_phases()  # warm the file cache
    phases = [grade_in_phases() for _ in range(args.repeats)]
    commands = [command_seconds() for _ in range(args.repeats)]
    medians = {key: statistics.median(p[key] for p in phases) for key in phases[0]}
    whole = statistics.median(commands)
    print(f"grading {SUBMISSION.name} (loops, all cases), medians of {args.repeats} runs")
    print(f"| {'part':<28} | {'ms':>7} | {'share of command':>16} |")
    print(f"|{'-' * 30}|{'-' * 9}|{'-' * 18}|")
    print(f"| {'convgrade grade (command)':<28} | {1000 * whole:7.1f} | {'100%':>16} |")
    for key in ("grading in process", "start-up", "runs", "judging"):
        print(f"| {'  ' + key:<28} | {1000 * medians[key]:7.1f} | {100 * medians[key] / whole:15.0f}% |")
    process_start = whole - medians["grading in process"] + medians["start-up"]
    print(f"process start-up (parent interpreter + imports + child start): {1000 * process_start:.0f} ms, "
          f"{100 * process_start / whole:.0f}% of the command; target < 1000 ms: {'met' if whole < 1 else 'NOT met'}")


if __name__ == "__main__":
    main()
