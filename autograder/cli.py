"""``convgrade`` command line. Parses arguments and delegates; the work happens in ``grading``.

convgrade grade SUBMISSION [--format text|json|gradescope|junit] [--output FILE] [--public-only]
                [--fail-under PCT] [--assignment NAME] [--timeout S] [--memory MIB]
convgrade check SUBMISSION [--assignment NAME]   the student's local check: public cases, exit 1 until all pass
convgrade batch DIR [--jobs N] [--out RESULTS_DIR] [--force] [--executor dask://HOST:PORT] [--public-only]
                [--quiet] [--max-size MIB] [--assignment NAME] [--timeout S] [--memory MIB]
convgrade gradescope-bundle [--out autograder.zip] [--assignment NAME]
Exit codes: 0 graded, 1 below --fail-under (check: not all passed), 2 submission unreadable (batch: DIR
missing), 3 the grader itself cannot run (batch: some submissions were left without a report).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .assignments import ASSIGNMENTS, DEFAULT, by_name
from .config import find_hidden_seed
from .files import write_atomically
from .grading import grade_path
from .reports import FORMATS, render
from .sandbox import Limits, SandboxError
from .submission import MAX_SUBMISSION_BYTES, SubmissionError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="convgrade", description="Auto-grader for the CNN step-by-step exercises.")
    commands = parser.add_subparsers(dest="command", required=True)
    grade = commands.add_parser("grade", help="grade one submission (.ipynb or .py) in an isolated process")
    grade.add_argument("submission", help="a notebook or a .py file defining the functions")
    grade.add_argument("--format", choices=sorted(FORMATS), default="text")
    grade.add_argument("--output", type=Path, help="write the report to this file instead of stdout")
    grade.add_argument("--public-only", action="store_true", help="grade only the public cases (what students see)")
    grade.add_argument("--fail-under", type=float, metavar="PCT", help="exit 1 when the score is below PCT percent")
    check = commands.add_parser("check", help="check your work on the public cases (what `pytest` says locally)")
    check.add_argument("submission", help="your notebook or .py file")
    batch = commands.add_parser("batch", help="grade every .ipynb and .py under DIR in parallel, resumably")
    batch.add_argument("folder", type=Path, metavar="DIR", help="the submissions (e.g. nbgrader's submitted/ folder)")
    batch.add_argument("--jobs", type=int, metavar="N", help="worker processes (default: the number of CPUs)")
    batch.add_argument("--out", type=Path, metavar="RESULTS_DIR",
                       help="reports, scores.csv and report.html (default: convgrade-results beside DIR)")
    batch.add_argument("--force", action="store_true", help="grade again the submissions that have a current report")
    batch.add_argument("--executor", type=dask_executor, metavar="dask://HOST:PORT",
                       help="grade on this dask.distributed scheduler instead of local processes")
    batch.add_argument("--public-only", action="store_true", help="grade only the public cases")
    batch.add_argument("--quiet", action="store_true", help="no progress bar")
    batch.add_argument("--max-size", type=int, default=MAX_SUBMISSION_BYTES >> 20, metavar="MIB",
                       help="a larger submission is not read; it gets 0 points (default %(default)s)")
    bundle = commands.add_parser("gradescope-bundle", help="build a Gradescope autograder zip (hidden seed baked in)")
    bundle.add_argument("--out", type=Path, default=Path("autograder.zip"), help="the zip (default %(default)s)")
    bundle.add_argument("--assignment", choices=sorted(ASSIGNMENTS), default=DEFAULT.name,
                        help="the assignment the bundle grades, pinned (default %(default)s)")
    for command in (grade, check, batch):
        command.add_argument("--assignment", choices=sorted(ASSIGNMENTS),
                             help="grade as this assignment; a submission for another one gets 0 and says so "
                                  "(default: the assignment whose functions the submission defines)")
        command.add_argument("--timeout", type=float, default=Limits.timeout,
                             help="seconds per exercise (default %(default)s)")
        command.add_argument("--memory", type=int, default=Limits.memory >> 20, metavar="MIB",
                             help="memory per exercise above the grader's own, in MiB (default %(default)s)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    command = {"grade": grade_command, "check": check_command, "batch": batch_command,
               "gradescope-bundle": bundle_command}[args.command]
    try:
        return command(args)
    except SubmissionError as error:
        print(f"convgrade: cannot read the submission: {error}", file=sys.stderr)
        return 2
    except SandboxError as error:
        print(f"convgrade: the grader cannot run here: {error}", file=sys.stderr)
        return 3


def limits_of(args: argparse.Namespace) -> Limits:
    return Limits(timeout=args.timeout, cell_timeout=max(Limits.cell_timeout, args.timeout), memory=args.memory << 20)


def grade(args: argparse.Namespace, hidden_seed: int | None):
    pinned = by_name(args.assignment) if args.assignment else None
    return grade_path(args.submission, hidden_seed, limits_of(args), pinned)


def check_command(args: argparse.Namespace) -> int:
    report = grade(args, hidden_seed=None)
    print(render(report, "text"))
    return 0 if report.score == report.max_score else 1


def grade_command(args: argparse.Namespace) -> int:
    report = grade(args, None if args.public_only else find_hidden_seed())
    text = render(report, args.format)
    if args.output:
        write_atomically(args.output, text)
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    if args.fail_under is not None and 100 * report.score < args.fail_under * report.max_score:
        return 1
    return 0


def dask_executor(spec: str) -> str:
    """argparse type of --executor: 'dask://HOST:PORT' -> the scheduler's address."""
    from .batch.executors import dask_address

    try:
        return dask_address(spec)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def batch_command(args: argparse.Namespace) -> int:
    from .batch.command import batch, default_results_dir
    from .batch.executors import ExecutorError, default_jobs

    if not args.folder.is_dir():
        print(f"convgrade: {args.folder}: no such folder", file=sys.stderr)
        return 2
    results_dir = args.out or default_results_dir(args.folder)
    try:
        summary = batch(args.folder, results_dir, jobs=args.jobs or default_jobs(), executor=args.executor,
                        hidden_seed=None if args.public_only else find_hidden_seed(), limits=limits_of(args),
                        max_bytes=args.max_size << 20, assignment=args.assignment, force=args.force,
                        progress=not args.quiet and sys.stderr.isatty())
    except ExecutorError as error:
        print(f"convgrade: {error}", file=sys.stderr)
        return 3
    except KeyboardInterrupt:
        print("convgrade batch: interrupted; the reports written so far are kept, a rerun grades the rest",
              file=sys.stderr)
        return 130
    print(f"convgrade batch: {summary.line()}; results in {results_dir} (scores.csv, report.html)")
    return 3 if summary.failed else 0


def bundle_command(args: argparse.Namespace) -> int:
    from .gradescope_bundle import BundleError, build_bundle

    seed = find_hidden_seed()
    try:
        build_bundle(args.out, seed, args.assignment)
    except BundleError as error:
        print(f"convgrade: {error}", file=sys.stderr)
        return 3
    cases = "public and hidden cases" if seed is not None else "public cases only (no hidden seed found)"
    print(f"convgrade: wrote {args.out}: grades {cases}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
