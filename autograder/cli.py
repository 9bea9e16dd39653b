"""``convgrade`` command line. Parses arguments and delegates; the work happens in ``grading``.

convgrade grade SUBMISSION [--format text|json|gradescope|junit] [--output FILE] [--public-only]
                [--fail-under PCT] [--timeout S] [--memory MIB]
convgrade check SUBMISSION      the student's local check: public cases, text, exit 1 until all pass
Exit codes: 0 graded, 1 below --fail-under (check: not all passed), 2 submission unreadable,
3 the grader itself cannot run.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from .config import find_hidden_seed
from .grading import grade_path
from .reports import FORMATS, render
from .sandbox import Limits, SandboxError
from .submission import SubmissionError


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
    for command in (grade, check):
        command.add_argument("--timeout", type=float, default=Limits.timeout,
                             help="seconds per exercise (default %(default)s)")
        command.add_argument("--memory", type=int, default=Limits.memory >> 20, metavar="MIB",
                             help="memory per exercise above the grader's own, in MiB (default %(default)s)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    command = {"grade": grade_command, "check": check_command}[args.command]
    try:
        return command(args)
    except SubmissionError as error:
        print(f"convgrade: cannot read the submission: {error}", file=sys.stderr)
        return 2
    except SandboxError as error:
        print(f"convgrade: the grader cannot run here: {error}", file=sys.stderr)
        return 3


def grade(args: argparse.Namespace, hidden_seed: int | None):
    limits = Limits(timeout=args.timeout, cell_timeout=max(Limits.cell_timeout, args.timeout), memory=args.memory << 20)
    return grade_path(args.submission, hidden_seed, limits)


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


def write_atomically(path: Path, text: str) -> None:
    """Write to a temporary file beside ``path``, then rename: readers never see half a report."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(temporary, path)


if __name__ == "__main__":
    sys.exit(main())
