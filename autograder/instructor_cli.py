"""The instructor's ``convgrade`` commands (not in the student kit): grade with hidden cases, batch,
Gradescope bundle, release public checks, build the student kit.

convgrade grade SUBMISSION [--format text|json|gradescope|junit] [--output FILE] [--public-only]
                [--fail-under PCT] [--assignment NAME] [--timeout S] [--memory MIB]
convgrade batch DIR [--jobs N] [--out RESULTS_DIR] [--force] [--executor dask://HOST:PORT] [--public-only]
                [--quiet] [--max-size MIB] [--assignment NAME] [--timeout S] [--memory MIB]
convgrade gradescope-bundle [--out autograder.zip] [--assignment NAME] [--hidden-visibility WHEN]
convgrade gradescope-run SUBMISSION_DIR --assignment NAME --output results.json [--hidden-visibility WHEN]
convgrade release [NAME ...] [--out DIR]     write each assignment's public checks (default: solutions/NAME/)
convgrade kit [--out DIR]                   build the student kit wheel (convgrade-student)
Exit codes: 0 graded, 1 below --fail-under, 2 submission unreadable (batch: DIR missing), 3 the grader
itself cannot run (batch: some submissions were left without a report).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .config import find_hidden_seed
from .course_grading import grade_path
from .files import write_atomically
from .registry import by_name, default, names
from .reports import FORMATS, render
from .reports.gradescope import DEFAULT_HIDDEN_VISIBILITY, VISIBILITIES
from .submission import MAX_SUBMISSION_BYTES


def add_commands(commands) -> None:
    from .cli import add_limits

    grade = commands.add_parser("grade", help="grade one submission (.ipynb or .py) in an isolated process")
    grade.add_argument("submission", help="a notebook or a .py file defining the functions")
    grade.add_argument("--format", choices=sorted(FORMATS), default="text")
    grade.add_argument("--output", type=Path, help="write the report to this file instead of stdout")
    grade.add_argument("--public-only", action="store_true", help="grade only the public cases (what students see)")
    grade.add_argument("--fail-under", type=float, metavar="PCT", help="exit 1 when the score is below PCT percent")
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
    bundle.add_argument("--assignment", choices=names(), default=default().name,
                        help="the assignment the bundle grades, pinned (default %(default)s)")
    bundle.add_argument("--hidden-visibility", choices=VISIBILITIES, default=DEFAULT_HIDDEN_VISIBILITY,
                        help="when students see their hidden-case tests (default %(default)s)")
    run = commands.add_parser("gradescope-run", help="grade a Gradescope submission folder into results.json "
                                                     "(what the bundle's run_autograder runs)")
    run.add_argument("folder", type=Path, metavar="SUBMISSION_DIR")
    run.add_argument("--assignment", choices=names(), required=True, help="the assignment to grade it as")
    run.add_argument("--output", type=Path, required=True, help="the results.json to write")
    run.add_argument("--hidden-visibility", choices=VISIBILITIES, default=DEFAULT_HIDDEN_VISIBILITY,
                     help="when students see their hidden-case tests (default %(default)s)")
    release = commands.add_parser("release", help="write the public checks the student kit judges against")
    release.add_argument("assignments", nargs="*", metavar="NAME", help=f"default: all ({', '.join(names())})")
    release.add_argument("--out", type=Path, metavar="DIR", help="the folder to write to (default: solutions/NAME/)")
    kit = commands.add_parser("kit", help="build the student kit wheel (convgrade-student: no answers inside)")
    kit.add_argument("--out", type=Path, default=Path("dist"), help="the folder for the wheel (default %(default)s)")
    add_limits(run)
    for command in (grade, batch):
        command.add_argument("--assignment", choices=names(),
                             help="grade as this assignment; a submission for another one gets 0 and says so "
                                  "(default: the assignment whose functions the submission defines)")
        add_limits(command)


def grade_command(args: argparse.Namespace) -> int:
    from .cli import limits_of

    pinned = by_name(args.assignment) if args.assignment else None
    report = grade_path(args.submission, None if args.public_only else find_hidden_seed(), limits_of(args), pinned)
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
    from .cli import limits_of

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
    print(f"convgrade batch: {summary.line()}; results in {results_dir} (scores.csv, report.html, feedback/)")
    return 3 if summary.failed else 0


def bundle_command(args: argparse.Namespace) -> int:
    from .gradescope_bundle import BundleError, build_bundle

    seed = find_hidden_seed()
    try:
        build_bundle(args.out, seed, args.assignment, args.hidden_visibility)
    except BundleError as error:
        print(f"convgrade: {error}", file=sys.stderr)
        return 3
    cases = "public and hidden cases" if seed is not None else "public cases only (no hidden seed found)"
    print(f"convgrade: wrote {args.out}: grades {cases}")
    return 0


def gradescope_run_command(args: argparse.Namespace) -> int:
    from .cli import limits_of
    from .gradescope_run import run

    run(args.folder, by_name(args.assignment), args.output, args.hidden_visibility, limits_of(args))
    return 0


def release_command(args: argparse.Namespace) -> int:
    from . import release

    for name in args.assignments or names():
        folder = args.out or Path("solutions", name)
        if not folder.is_dir():
            print(f"convgrade: {folder}: no such folder (run from the course folder, or give --out)", file=sys.stderr)
            return 2
        print(f"convgrade: wrote {release.write(by_name(name), folder)}")
    return 0


def kit_command(args: argparse.Namespace) -> int:
    from .kit import KitError, build_kit

    try:
        wheel = build_kit(args.out)
    except KitError as error:
        print(f"convgrade: {error}", file=sys.stderr)
        return 3
    print(f"convgrade: wrote {wheel}")
    return 0


COMMANDS = {"grade": grade_command, "batch": batch_command, "gradescope-bundle": bundle_command,
            "gradescope-run": gradescope_run_command,
            "release": release_command, "kit": kit_command}
