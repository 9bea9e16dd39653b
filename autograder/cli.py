"""``convgrade`` command line. Parses arguments and delegates; the work happens in ``grading``.

convgrade check SUBMISSION [--assignment NAME] [--timeout S] [--memory MIB]
    the student's local check against the public checks beside SUBMISSION (what `pytest` says there)
The instructor's install adds grade, batch, gradescope-bundle, release and kit (``instructor_cli``).

Exit codes of check: 0 every public case passed, 1 some did not, 2 the submission cannot be read or there
are no public checks beside it, 3 the grader itself cannot run here.
"""
from __future__ import annotations

import argparse
import gc
import importlib
import importlib.util
import sys
from pathlib import Path

from .sandbox import early
from .sandbox.limits import Limits

SANDBOXED_COMMANDS = ("check", "grade", "gradescope-run")  # the ones that start a sandbox right away


def instructor_commands():
    """The instructor's commands (``instructor_cli``), where installed; the student kit has `check` only."""
    name = f"{__package__}.instructor_cli"
    return importlib.import_module(name) if importlib.util.find_spec(name) else None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="convgrade", description="Auto-grader for the CNN step-by-step exercises.")
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check", help="check your work on the public cases (what `pytest` says locally)")
    check.add_argument("submission", type=Path, help="your notebook or .py file")
    check.add_argument("--assignment", help="check as this assignment (default: the one your functions belong to)")
    add_limits(check)
    if instructor_cli := instructor_commands():
        instructor_cli.add_commands(commands)
    return parser


def add_limits(command: argparse.ArgumentParser) -> None:
    command.add_argument("--timeout", type=float, default=Limits.timeout, help="seconds per exercise (default %(default)s)")
    command.add_argument("--memory", type=int, default=Limits.memory >> 20, metavar="MIB",
                         help="memory per exercise above the grader's own, in MiB (default %(default)s)")


def limits_of(args: argparse.Namespace) -> Limits:
    return Limits(timeout=args.timeout, cell_timeout=max(Limits.cell_timeout, args.timeout), memory=args.memory << 20)


def main(argv: list[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else argv
    if arguments[:1] and arguments[0] in SANDBOXED_COMMANDS:
        early.start_sandbox()  # it boots while the grader's modules load
    from .local import NoChecksError
    from .public_checks import PublicChecksError
    from .sandbox import SandboxError
    from .submission import SubmissionError

    args = build_parser().parse_args(arguments)
    command = check_command if args.command == "check" else instructor_commands().COMMANDS[args.command]
    try:
        return command(args)
    except SubmissionError as error:
        print(f"convgrade: cannot read the submission: {error}", file=sys.stderr)
        return 2
    except (NoChecksError, PublicChecksError) as error:
        print(f"convgrade: {error}", file=sys.stderr)
        return 2
    except SandboxError as error:
        print(f"convgrade: the grader cannot run here: {error}", file=sys.stderr)
        return 3


def check_command(args: argparse.Namespace) -> int:
    from .grading import grade_file
    from .local import NoChecksError, local_checks
    from .reports import render

    candidates = local_checks(args.submission.parent)
    pinned = None
    if args.assignment:
        pinned = next((checks for checks in candidates if checks.name == args.assignment), None)
        if pinned is None:
            raise NoChecksError(f"no public checks for {args.assignment} here (found: "
                                f"{', '.join(checks.name for checks in candidates)})")
    report = grade_file(args.submission, candidates, pinned, limits_of(args))
    print(render(report, "text"))
    return 0 if report.score == report.max_score else 1


def command() -> int:
    """The ``convgrade`` program: ``main``, then every object it leaves frozen out of the garbage collector
    (``gc.freeze``). While the interpreter frees its modules at exit it runs full collections, which walk
    every object numpy and a grading made: about 40 ms after a grading, a tenth of the command. Exit
    handlers, flushing and freeing still run; only garbage cycles stay unreclaimed until the process ends."""
    code = main()
    gc.freeze()
    return code


if __name__ == "__main__":
    sys.exit(command())
