"""Parent side of the sandbox: start the child, load a submission, run exercises under hard deadlines.

The child (``child.py``) is the only process that runs student code. Everything it sends back is decoded
with the pickle-free codec; nothing it sends is executed. A cell that kills or hangs the child is recorded
and skipped on a restart, so the cells around it still define their functions.
"""
from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import codec
from .guard import BLOCKED

CHILD = Path(__file__).with_name("child.py")
GRACE = 3.0  # seconds the parent waits beyond a limit the child enforces itself


@dataclass(frozen=True)
class Limits:
    """Per-exercise wall-clock timeout (s), memory above the child's baseline (bytes), output caps."""

    timeout: float = 5.0
    cell_timeout: float = 10.0
    memory: int = 1 << 30
    output_bytes: int = 1 << 20
    result_bytes: int = 64 << 20


@dataclass(frozen=True)
class Cell:
    """A unit of submitted code: its label in messages ("cell 7", "solution.py") and its source."""

    label: str
    source: str


@dataclass
class LoadResult:
    functions: set[str] = field(default_factory=set)
    errors: list[dict] = field(default_factory=list)  # {"type","message","where"} for failing cells


@dataclass
class ExerciseRun:
    """What happened when one exercise ran: per-case results and how the process ended."""

    status: str  # "exited", "signal", "timeout", "protocol", "missing", "lost" (the child died)
    cases: dict[str, dict] = field(default_factory=dict)  # case id -> {"value"} or {"error"}, + "args_after"
    detail: str = ""
    output: str = ""  # the start of what the student's code printed


class SandboxError(RuntimeError):
    """The grader cannot run at all here (its child process fails before any student code runs)."""


class ChildLost(Exception):
    """The child process died or stopped answering."""


class Sandbox:
    """One isolated child per submission, loaded once, serving exercise runs. Use as a context manager."""

    def __init__(self, cells: list[Cell], limits: Limits = Limits(), helpers_module: str = "cnn_reference",
                 helpers: tuple[str, ...] = (), blocked: tuple[str, ...] = BLOCKED):
        self.cells, self.limits = cells, limits
        self.helpers_module, self.helpers, self.blocked = helpers_module, helpers, blocked
        self._workdir = tempfile.TemporaryDirectory(prefix="convgrade-")
        self._process: subprocess.Popen | None = None
        self._reader = codec.FrameReader()
        self._pending: list[dict] = []
        self._skip: set[int] = set()
        self._load: LoadResult | None = None
        self._stderr_path = Path(self._workdir.name, "child.err")

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._stop()
        self._workdir.cleanup()

    def load(self) -> LoadResult:
        """Run the cells in a fresh child, skipping any that killed or hung an earlier one."""
        errors: dict[int, dict] = {}
        while True:
            self._start()
            current = None
            try:
                self._send({"op": "load", "cells": [c.__dict__ for c in self.cells], "skip": sorted(self._skip),
                            "helpers_module": self.helpers_module, "helpers": list(self.helpers),
                            "blocked": list(self.blocked), "workdir": self._workdir.name,
                            "limits": self._limit_fields()})
                while True:
                    message = self._receive(time.monotonic() + self.limits.cell_timeout + GRACE)
                    if message["event"] == "cell":
                        current = message["index"]
                    elif message["event"] == "cell_done":
                        if message["error"]:
                            errors[message["index"]] = message["error"]
                        current = None
                    elif message["event"] == "loaded":
                        self._load = LoadResult(set(message["functions"]), [errors[k] for k in sorted(errors)])
                        return self._load
            except ChildLost as lost:
                self._stop()
                if current is None:  # died outside any cell: the grader itself is broken
                    raise SandboxError(f"the grading process failed to start: {lost}\n"
                                       + _read_start(self._stderr_path, 4000)) from None
                self._skip.add(current)
                errors[current] = _lost_error(str(lost), self.cells[current].label)

    def run(self, function: str, helpers: tuple[str, ...], cases: list[tuple[str, tuple]]) -> ExerciseRun:
        """Call ``function`` on each case's args in a fresh fork, with the given helpers injected."""
        if self._process is None:
            self.load()
        if self._process is None:
            return ExerciseRun("lost", detail="the submission could not be loaded")
        output_file = Path(self._workdir.name, function + ".out")
        output_file.unlink(missing_ok=True)
        run = ExerciseRun("lost")
        try:
            self._send({"op": "run", "function": function, "helpers": list(helpers), "timeout": self.limits.timeout,
                        "cases": [{"id": case_id, "args": codec.encode(args)} for case_id, args in cases]})
            deadline = time.monotonic() + self.limits.timeout + GRACE
            while True:
                message = self._receive(deadline)
                if message["event"] == "case":
                    run.cases[message["id"]] = _decode_case(message)
                elif message["event"] == "missing":
                    run.status = "missing"
                elif message["event"] == "done":
                    if run.status != "missing":
                        run.status = message["status"]
                    run.detail = str(message.get("detail") or message.get("code") or message.get("signal") or "")
                    break
        except ChildLost as lost:
            self._stop()
            run.status, run.detail = "lost", str(lost)
        run.output = _read_start(output_file, 2000)
        return run

    # -- process plumbing -------------------------------------------------------------------------------
    def _limit_fields(self) -> dict:
        limits = self.limits
        return {"cell_timeout": limits.cell_timeout, "memory": limits.memory,
                "output_bytes": limits.output_bytes, "result_bytes": limits.result_bytes}

    def _start(self) -> None:
        env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTHON", "CONVGRADE"))}
        env.update(OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", MPLBACKEND="Agg")
        with open(self._stderr_path, "wb") as stderr:
            self._process = subprocess.Popen(
                [sys.executable, "-I", str(CHILD)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr,
                cwd=self._workdir.name, env=env, start_new_session=True,
            )
        self._reader, self._pending = codec.FrameReader(), []

    def _stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except OSError:
            pass
        process.wait()
        for stream in (process.stdin, process.stdout):
            stream.close()

    def _send(self, message: dict) -> None:
        try:
            self._process.stdin.write(codec.frame(message))
            self._process.stdin.flush()
        except OSError as error:
            raise ChildLost(f"the grading process stopped ({error.strerror})") from None

    def _receive(self, deadline: float) -> dict:
        fd = self._process.stdout.fileno()
        while not self._pending:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
                raise ChildLost("the code did not finish in time (it kept running past the limit)")
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                raise ChildLost(_exit_reason(self._process))
            try:
                self._pending.extend(self._reader.feed(chunk))
            except codec.CodecError as error:
                raise ChildLost(f"the grading channel was corrupted ({error})") from None
        return self._pending.pop(0)


def _decode_case(message: dict) -> dict:
    try:
        case = {"value": codec.decode(message["value"])} if "value" in message else {"error": message["error"]}
        if "args_after" in message:
            case["args_after"] = codec.decode(message["args_after"])
        return case
    except (codec.CodecError, KeyError, TypeError, ValueError) as error:
        return {"error": {"type": "CodecError", "message": f"the result could not be read: {error}", "where": None}}


def _exit_reason(process: subprocess.Popen) -> str:
    code = process.wait()
    if code < 0:
        name = signal.Signals(-code).name if -code in signal.Signals._value2member_map_ else str(-code)
        return f"the process was killed by signal {name}"
    return f"the code ended the process (exit code {code})"


def _lost_error(message: str, label: str | None = None) -> dict:
    return {"type": "ProcessLost", "message": message, "where": {"label": label, "line": None, "text": ""} if label else None}


def _read_start(path: Path, limit: int) -> str:
    try:
        with open(path, "rb") as handle:
            return handle.read(limit).decode(errors="replace")
    except OSError:
        return ""
