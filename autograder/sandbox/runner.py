"""Parent side of the sandbox: start the isolated child, load a submission, run exercises, tear it down.

The child (``child.py``) is the only process that runs student code, under the isolation of
``isolation.py``. It never holds an answer: the parent sends case inputs, answers the helper calls an
exercise declares, and judges what comes back. The channel is untrusted: every frame is size-capped,
decoded without pickle and checked against what the parent expects; a malformed or unexpected frame costs
that exercise only. Every deadline is the parent's (one for all loading, one per exercise, a cap on
restarts), and every process the child started is gone when ``close()`` returns.
"""
from __future__ import annotations

import json
import os
import select
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ..checks import Helpers
from ..spec import CaseOutcome, Cell, ErrorInfo, ExerciseRun, LoadResult, Where
from . import codec
from . import warm
from .helper_calls import Checked, SpeculationChecks, answer_helper
from .limits import Limits
from .isolation import SANDBOX_FILES, Isolation, child_command, detect, exit_text, grader_packages, sandbox_uid
GRACE = 3.0  # seconds the parent waits beyond a limit the child enforces itself
START_TIMEOUT = 30.0  # seconds for the child to start and say "ready" before any student code runs
TEARDOWN_TIMEOUT = 10.0
RUN_STATUSES = ("exited", "signal", "timeout", "protocol")
SPECULATION_ROUNDS = 4  # speculating runs of an exercise, each with the answers the ones before lacked


class SandboxError(RuntimeError):
    """The grader cannot run at all here (its child process fails before any student code runs)."""


class ChildLost(Exception):
    """The child process died, stopped answering, or broke the protocol."""


class Sandbox:
    """One isolated child per submission, loaded once, serving exercise runs. Use as a context manager."""

    def __init__(self, cells: list[Cell], limits: Limits = Limits(), isolation: Isolation | None = None):
        self.cells, self.limits = cells, limits
        self.isolation = isolation or detect()
        self._workdir = tempfile.TemporaryDirectory(prefix="convgrade-")
        self._stderr_path = Path(self._workdir.name, "child.err")
        self._child: ColdChild | warm.WarmChild | None = None
        self._uid: int | None = None
        self._reader = codec.FrameReader(limits.result_bytes)
        self._pending: list[dict] = []
        self._fds: list[int] = []  # the exercise channel the child sent, not yet taken
        self._skip: set[int] = set()
        self._errors: dict[int, ErrorInfo] = {}
        self._skipped: dict[int, list[Where]] = {}  # per cell: statements that needed a stand-in
        self._restarts = 0
        self._load_deadline: float | None = None
        self._load: LoadResult | None = None

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Stop the child and everything it started; returns only when they are all gone."""
        self._stop()
        self._workdir.cleanup()

    # -- loading ----------------------------------------------------------------------------------------
    def load(self) -> LoadResult:
        """Run the cells in a fresh child, skipping any that killed or hung an earlier one."""
        if self._load_deadline is None:
            self._load_deadline = time.monotonic() + self.limits.load_timeout
        while True:
            if self._restarts > self.limits.restarts or time.monotonic() >= self._load_deadline:
                self._stop()
                self._load = self._result(set(), set(), self._gave_up())
                return self._load
            self._start()
            current = last = None
            expected = iter([index for index in range(len(self.cells)) if index not in self._skip] + [None])
            following = next(expected)  # the only cell the child may say it starts next (None: it is done)
            try:
                self._send({"op": "load", "cells": [c.__dict__ for c in self.cells], "skip": sorted(self._skip)},
                           self._load_deadline)
                started = time.monotonic()
                while True:
                    message = self._receive(min(self._load_deadline, started + self.limits.cell_timeout + GRACE))
                    event, index = message.get("event"), message.get("index")
                    if event == "cell" and current is None and index == following is not None:
                        current = last = index
                        following = next(expected)
                        started = time.monotonic()
                    elif event == "cell_done" and current is not None and index == current:
                        if message.get("error") is not None:
                            self._errors[index] = clean_error(message["error"])
                        self._skipped[index] = _places(message.get("skipped"))
                        current = None
                    elif event == "loaded" and current is None and following is None:
                        self._load = self._result(_names(message.get("functions")), _names(message.get("stand_ins")))
                        return self._load
                    else:
                        raise ChildLost("the code sent the grader a message it did not expect")
            except ChildLost as lost:
                self._stop()
                self._restarts += 1
                blamed = current if current is not None else last
                if blamed is None:  # no student code had started: the grader itself is broken
                    raise SandboxError(f"the grading process stopped before running any code: {lost}") from None
                self._skip.add(blamed)
                self._errors[blamed] = _lost_error(str(lost), self.cells[blamed].label)

    def _result(self, functions: set[str], stand_ins: set[str], stopped: ErrorInfo | None = None) -> LoadResult:
        skipped = [where for index in sorted(self._skipped) for where in self._skipped[index]]
        return LoadResult(functions, dict(sorted(self._errors.items())), stopped, list(self.cells), sorted(stand_ins),
                          skipped)

    def _gave_up(self) -> ErrorInfo:
        why = (f"it stopped the grading process {self._restarts} times" if self._restarts > self.limits.restarts
               else f"loading took longer than {self.limits.load_timeout:g} s in all")
        return ErrorInfo("GradingStopped", f"your submission was not loaded completely: {why}, so nothing more was run")

    # -- exercises --------------------------------------------------------------------------------------
    def run(self, function: str, cases: list[tuple[str, tuple]], helpers: Helpers = {},
            speculate: bool = True) -> ExerciseRun:
        """Call ``function`` on each case's args in a fresh fork; ``helpers`` answer the helper calls.

        Speculating, a helper the student defined answers its calls at once (no round trip to this process)
        and the child records each call; every recorded value must be exactly what ``helpers`` would have
        answered, with the arguments left unchanged, and the run must end normally. Where that helper raises,
        the run's first such call is asked of this process, and each later one gets a copy of that answer as a
        stand-in, recorded like any value (see ``child.Helper``). Otherwise the exercise runs again in a fresh
        fork, with this process's answers to the calls that differed given ahead. A helper whose wrong value
        made a case raise in two runs is not called in the next: its later calls are not known ahead, and its
        values stop the code; its first call is asked and the rest get stand-ins (once is not enough: its wrong
        inputs may have come from another helper, corrected now). After ``SPECULATION_ROUNDS`` such runs, or
        a run that cannot be corrected, it runs once more with every call answered here. So speculating
        changes no outcome, short of what the student's own helper does beside its value (global state, its
        own records): that is the student's code run as written, and no answer of the grader's reaches the
        child but its answers to calls the code made.
        """
        if speculate and helpers:
            answers: dict[str, dict] = {}
            ask: set[str] = set()
            suspects: set[str] = set()
            for _ in range(SPECULATION_ROUNDS):
                run, checked = self._run(function, cases, helpers, answers, ask)
                if checked.held:
                    return run
                if not checked.corrections:
                    break
                answers.update(checked.corrections)
                ask |= checked.distrusted & suspects
                suspects |= checked.distrusted
        return self._run(function, cases, helpers, None)[0]

    def _run(self, function: str, cases: list[tuple[str, tuple]], helpers: Helpers,
             answers: dict[str, dict] | None, ask: set[str] = frozenset()) -> tuple[ExerciseRun, Checked]:
        """The run, speculating with ``answers`` given ahead and the helpers in ``ask`` asked (``answers`` None:
        not speculating), and how the speculated calls checked (see ``run``)."""
        if self._child is None:
            self.load()
        if self._child is None:
            return ExerciseRun("lost", detail="the submission could not be loaded"), Checked(True, {})
        by_id = dict(cases)
        run, code, speculate = ExerciseRun("lost"), None, answers is not None
        deadline = time.monotonic() + self.limits.timeout + GRACE
        checks = SpeculationChecks(helpers, deadline + self.limits.timeout)  # as long again to check
        link: ExerciseLink | None = None
        try:
            self._send({"op": "run", "function": function, "helpers": sorted(helpers), "timeout": self.limits.timeout,
                        "answers": answers, "ask": sorted(ask),
                        "cases": [{"id": case_id, "args": codec.encode(args, raw=True)} for case_id, args in cases]},
                       deadline)
            done = False
            while not done or link is not None:
                if link is not None and link.pending:  # the exercise's own frames
                    message = link.pending.pop(0)
                    event, case_id = message.get("event"), message.get("id")
                    if event == "case" and type(case_id) is str and case_id in by_id and case_id not in run.cases:
                        run.cases[case_id] = _decode_case(message, by_id[case_id])
                        if speculate:
                            checks.add(message.get("speculated"), "value" not in message)
                    elif event == "missing":
                        run.status = "missing"
                    elif event == "helper":
                        self._send({"event": "helper_reply", **answer_helper(message, helpers)}, deadline, link.fd)
                    else:
                        run.status, run.detail = "protocol", "the code sent the grader a message it did not expect"
                        link.close()
                        link = None
                elif not done and self._pending:  # the child's: the run started, or ended
                    message = self._pending.pop(0)
                    if message.get("event") == "started" and link is None and self._fds:
                        link = ExerciseLink(self._fds.pop(0), self.limits.result_bytes)
                    elif message.get("event") == "done":
                        code, done = _ended(run, message), True
                    else:
                        raise ChildLost("the code sent the grader a message it did not expect")
                elif not self._wait_for_frames(link, done, deadline):  # the exercise's channel has ended
                    if link.broken:
                        run.status, run.detail = "protocol", link.broken[:300]
                    link.close()
                    link = None
        except ChildLost as lost:
            self._stop()
            self._restarts += 1
            run.status, run.detail = "lost", str(lost)
        finally:
            if link is not None:
                link.close()
        checked = checks.result()
        ended_normally = run.status == "missing" or (
            run.status == "exited" and code == 0 and run.cases.keys() == by_id.keys())
        return run, checked if ended_normally else Checked(False, None)

    # -- process plumbing -------------------------------------------------------------------------------
    def _settings(self) -> dict:
        limits = self.limits
        return {"limits": {"cell_timeout": limits.cell_timeout, "memory": limits.memory,
                           "output_bytes": limits.output_bytes, "result_bytes": limits.result_bytes,
                           "processes": limits.processes, "cpu_seconds": limits.load_timeout + 60},
                "own_pid_namespace": self.isolation.namespaces,
                "grader_packages": grader_packages(),
                "count_processes": self.isolation.level == "root"}

    def _start(self) -> None:
        """A child that has said "ready": warm (a fork of this process's fork server) where the level allows,
        else cold (a new process tree). Before "ready", no student code has run."""
        deadline = time.monotonic() + START_TIMEOUT
        child = None
        if warm.wanted(self.isolation):
            self._uid = sandbox_uid()
            try:
                with open(self._stderr_path, "wb") as stderr:
                    child = warm.start_child(SANDBOX_FILES, self._uid, stderr.fileno())
            except (warm.WarmStartError, OSError):  # as isolated cold: only slower
                child = None
        self._child = child or self._cold_start(deadline)
        os.set_blocking(self._child.write_fd, False)
        self._reader, self._pending = codec.FrameReader(self.limits.result_bytes), []
        try:
            self._send(self._settings())
            if self._receive(deadline).get("event") != "ready":
                raise ChildLost("it sent something else than 'ready'")
        except (ChildLost, OSError) as error:
            self._stop()
            raise self._start_failed(error) from None

    def _start_failed(self, error: Exception) -> SandboxError:
        return SandboxError(f"the grading process failed to start ({self.isolation.level} isolation): {error}\n"
                            + _read_start(self._stderr_path, 4000))

    def _cold_start(self, deadline: float) -> ColdChild:
        info_read, info_write = os.pipe() if self.isolation.namespaces else (None, None)
        command = child_command(self.isolation, SANDBOX_FILES, info_write)
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            with open(self._stderr_path, "wb") as stderr:
                process = subprocess.Popen(
                    command.argv, stdin=theirs, stdout=theirs, stderr=stderr,
                    cwd=self._workdir.name, env=command.env, start_new_session=True, pass_fds=command.pass_fds)
        except BaseException:
            ours.close()
            raise
        finally:
            theirs.close()
            if info_write is not None:
                os.close(info_write)
        self._uid = command.uid
        child = ColdChild(process, ours)
        try:
            if info_read is not None:
                child.inner = _sandbox_init(info_read, deadline)
        except ChildLost as error:
            child.stop()
            raise self._start_failed(error) from None
        finally:
            if info_read is not None:
                os.close(info_read)
        return child

    def _stop(self) -> None:
        """Kill the sandbox and wait until every process in it is gone."""
        for fd in self._fds:
            os.close(fd)
        self._fds.clear()
        child, self._child = self._child, None
        if child is None:
            return
        child.stop()
        if self._uid is not None:
            _kill_user(self._uid)

    def _send(self, message: dict, deadline: float | None = None, fd: int | None = None) -> None:
        """Write one frame to the child (or to an exercise's channel ``fd``) without ever blocking past
        ``deadline`` (a child that stops reading cannot hang the grader)."""
        data = codec.frame(message)
        deadline = deadline or time.monotonic() + START_TIMEOUT
        fd = self._child.write_fd if fd is None else fd
        try:
            while True:
                try:
                    data = data[os.write(fd, data):]  # the descriptor does not block: write what fits
                except BlockingIOError:
                    pass
                if not data:
                    return
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not select.select([], [fd], [], remaining)[1]:
                    raise ChildLost("the code stopped reading what the grader sent it")
        except OSError as error:
            raise ChildLost(f"the grading process stopped ({error.strerror})") from None

    def _receive(self, deadline: float) -> dict:
        while not self._pending:
            _readable([self._child.channel], deadline)
            self._read_child()
        return self._pending.pop(0)

    def _read_child(self) -> None:
        """Read what the child's channel holds (it is readable): frames, and the descriptor of an exercise's
        channel."""
        try:
            chunk, fds, _, _ = socket.recv_fds(self._child.channel, 1 << 16, 1)
        except OSError as error:
            raise ChildLost(f"the grading process stopped ({error.strerror})") from None
        for fd in fds:
            if stat.S_ISSOCK(os.fstat(fd).st_mode) and not self._fds:
                os.set_blocking(fd, False)
                self._fds.append(fd)
            else:
                os.close(fd)
        if not chunk:
            raise ChildLost(self._child.exit_reason())
        try:
            self._pending.extend(self._reader.feed(chunk))
        except codec.CodecError as error:
            raise ChildLost(f"the grading channel was corrupted ({error})") from None

    def _wait_for_frames(self, link: ExerciseLink | None, done: bool, deadline: float) -> bool:
        """Read what comes next, from the child or from the exercise's channel ``link``; False once ``link`` is
        at its end (or broke the protocol, which costs the run: see ``_run``)."""
        watched = [link.fd] if link is not None else []
        if not done:
            watched.append(self._child.channel)
        ready = _readable(watched, deadline)
        if link is not None and link.fd in ready:
            return link.read()
        self._read_child()
        return True


def _readable(watched: list, deadline: float) -> list:
    """Those of ``watched`` that are readable, waiting until ``deadline`` at most; ChildLost when none is by then."""
    remaining = deadline - time.monotonic()
    ready = select.select(watched, [], [], remaining)[0] if remaining > 0 else []
    if not ready:
        raise ChildLost("the code did not finish in time (it kept running past the limit)")
    return ready


class ExerciseLink:
    """The grader's end of one exercise run's own channel (the child forked for it holds the other): frames
    size-checked; a frame cut short by the end of the stream is dropped."""

    def __init__(self, fd: int, limit: int):
        self.fd, self.pending, self._reader, self.broken = fd, [], codec.FrameReader(limit), ""

    def read(self) -> bool:
        """Read what is there; False at the end of the stream, or when it broke the protocol (``broken`` says
        how)."""
        try:
            chunk = os.read(self.fd, 1 << 16)
            if chunk:
                self.pending.extend(self._reader.feed(chunk))
                return True
        except BlockingIOError:
            return True
        except (OSError, codec.CodecError) as error:
            self.broken = str(error)
        return False

    def close(self) -> None:
        os.close(self.fd)


# -- what crosses the channel -----------------------------------------------------------------------------
def clean_error(error) -> ErrorInfo:
    """An error as the child described it, forced into an ErrorInfo of bounded size."""
    if not isinstance(error, dict):
        error = {}
    where = error.get("where")
    if isinstance(where, dict):
        line = where.get("line")
        where = Where(str(where.get("label") or "")[:100], line if type(line) is int else None,
                      str(where.get("text") or "")[:200])
    else:
        where = None
    return ErrorInfo(str(error.get("type") or "Error")[:100], str(error.get("message") or "")[:500], where)


def _ended(run: ExerciseRun, message: dict):
    """Record in ``run`` how the child says the exercise's process ended (unless the run already failed on its
    own channel); its exit code."""
    status = message.get("status")
    if run.status not in ("missing", "protocol"):
        run.status = status if status in RUN_STATUSES else "protocol"
    if not run.detail:
        run.detail = str(message.get("detail") or message.get("code") or message.get("signal") or "")[:300]
    run.output = str(message.get("output", ""))[:2000]
    return message.get("code")


def _decode_case(message: dict, args: tuple) -> CaseOutcome:
    """The outcome of a case run on ``args``; the child sends its arguments after the call only when they changed."""
    try:
        if message.get("args_unchanged") is True:
            after = args
        else:
            after = codec.decode(message["args_after"]) if "args_after" in message else None
            after = after if isinstance(after, tuple) else None
        if "value" in message:
            return CaseOutcome(value=codec.decode(message["value"]), args_after=after)
        return CaseOutcome(error=clean_error(message.get("error")), args_after=after)
    except (codec.CodecError, KeyError, TypeError, ValueError, OverflowError) as error:
        return CaseOutcome(error=ErrorInfo("CodecError", f"the result could not be read: {error}"))


def _names(names) -> set[str]:
    if not isinstance(names, list):
        return set()
    return {name for name in names[:10_000] if type(name) is str and len(name) <= 200}


def _places(places) -> list[Where]:
    """Where-dicts from the child (at most 1000), forced into Where of bounded size."""
    if not isinstance(places, list):
        return []
    return [where for place in places[:1000] if (where := clean_error({"where": place}).where) is not None]


# -- processes --------------------------------------------------------------------------------------------
def _sandbox_init(info_fd: int, deadline: float) -> tuple[int, int]:
    """The pid of the sandbox's init (from bubblewrap's --info-fd JSON) and a pidfd to wait for it."""
    data = b""
    while True:
        try:
            return _pidfd(json.loads(data)["child-pid"])
        except ValueError:
            pass
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not select.select([info_fd], [], [], remaining)[0]:
            raise ChildLost("bubblewrap did not report the sandbox's process")
        chunk = os.read(info_fd, 4096)
        if not chunk:
            raise ChildLost("bubblewrap ended before the sandbox started")
        data += chunk


def _pidfd(pid) -> tuple[int, int]:
    if type(pid) is not int:
        raise ChildLost("bubblewrap reported no process id")
    return pid, os.pidfd_open(pid)


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass


def _kill_user(uid: int) -> None:
    """Kill every process of the sandbox's own user id (root level) until none is left."""
    deadline = time.monotonic() + TEARDOWN_TIMEOUT
    while time.monotonic() < deadline:
        found = [pid for pid in _pids() if _owner(pid) == uid]
        if not found:
            return
        for pid in found:
            _kill(pid)
        time.sleep(0.01)


def _pids() -> list[int]:
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]


def _owner(pid: int) -> int | None:
    try:
        return os.stat(f"/proc/{pid}").st_uid
    except OSError:
        return None


class ColdChild:
    """A child started as a new process tree: bubblewrap (with setpriv) and Python, or Python alone; its fds 0 and
    1 are one Unix socket, ``channel``'s other end."""

    def __init__(self, process: subprocess.Popen, channel: socket.socket):
        self.process, self.channel = process, channel
        self.inner: tuple[int, int] | None = None  # the sandbox's init: (pid, pidfd)
        self.read_fd = self.write_fd = channel.fileno()

    def stop(self) -> None:
        """Kill the sandbox's init (the kernel kills its namespace with it) and the process group; wait."""
        if self.inner is not None:
            pid, pidfd = self.inner
            _kill(pid)
            select.select([pidfd], [], [], TEARDOWN_TIMEOUT)
            os.close(pidfd)
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except OSError:
            pass
        self.process.wait()
        self.channel.close()

    def exit_reason(self) -> str:
        code = self.process.wait()
        return exit_text(code, bubblewrap=self.process.args[0] != sys.executable)


def _lost_error(message: str, label: str | None = None) -> ErrorInfo:
    return ErrorInfo("ProcessLost", message, Where(label) if label else None)


def _read_start(path: Path, limit: int) -> str:
    try:
        with open(path, "rb") as handle:
            return handle.read(limit).decode(errors="replace")
    except OSError:
        return ""
