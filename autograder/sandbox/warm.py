"""The grader's side of the warm start (root level): one fork server per grading process (``forkserver.py``),
started when the first sandbox needs it and again if it died, asked for one isolated child per sandbox.

A cold child pays a new interpreter and numpy's import (about 100 ms of CPU) before it can run anything; a
warm one is a fork of the server, which holds both already and never runs student code. The isolation is
bubblewrap's and setpriv's, made by the server's forks with the same kernel mechanisms (see forkserver.py);
``CONVGRADE_COLD_START=1`` turns the warm start off. Levels other than root always start cold: a fork server
there could not give each child a user of its own.
"""
from __future__ import annotations

import json
import os
import select
import signal
import socket
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from .isolation import SANDBOX_TMP_BYTES, Isolation, exit_text, forkserver_command, read_only_within

START_TIMEOUT = 30.0
TEARDOWN_TIMEOUT = 10.0
COLD_START_VARIABLE = "CONVGRADE_COLD_START"


class WarmStartError(RuntimeError):
    """The fork server cannot start or did not start a child (the sandbox then starts cold)."""


def wanted(isolation: Isolation) -> bool:
    """Whether sandboxes at ``isolation`` start warm: root level, unless turned off."""
    return isolation.level == "root" and turned_on()


def turned_on() -> bool:
    """Whether the warm start is on (``CONVGRADE_COLD_START`` unset or 0)."""
    return os.environ.get(COLD_START_VARIABLE, "") in ("", "0")


@dataclass
class WarmChild:
    """One child of the fork server: the grader's end of its channel, a pidfd of its namespace's pid 1, and
    the read end of the pipe that gets pid 1's exit status."""

    channel: socket.socket
    pidfd: int
    status: int

    @property
    def read_fd(self) -> int:
        return self.channel.fileno()

    @property
    def write_fd(self) -> int:
        return self.channel.fileno()

    def exit_reason(self) -> str:
        return exit_text(self.exit_code(TEARDOWN_TIMEOUT), bubblewrap=True)

    def stop(self) -> None:
        """SIGKILL the namespace's pid 1 (the kernel kills every process of the namespace with it), wait until
        it is gone (at most TEARDOWN_TIMEOUT), release the descriptors."""
        try:
            signal.pidfd_send_signal(self.pidfd, signal.SIGKILL)
        except ProcessLookupError:
            pass
        select.select([self.pidfd], [], [], TEARDOWN_TIMEOUT)
        self.channel.close()
        os.close(self.pidfd)
        os.close(self.status)

    def exit_code(self, timeout: float) -> int | None:
        """pid 1's exit status as bubblewrap gives it (code, or 128 + signal); None if not told in time."""
        data, deadline = b"", time.monotonic() + timeout
        while (remaining := deadline - time.monotonic()) > 0 and select.select([self.status], [], [], remaining)[0]:
            chunk = os.read(self.status, 64)
            if not chunk:
                break
            data += chunk
        return int(data) if data.isdigit() else None


class ForkServer:
    """The running fork server of this process."""

    def __init__(self, child_dir: Path):
        command = forkserver_command(child_dir)
        self.control, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.log = tempfile.TemporaryFile()
        try:
            self.process = subprocess.Popen(command.argv, stdin=theirs, stdout=subprocess.DEVNULL, stderr=self.log,
                                            env=command.env, start_new_session=True)
        finally:
            theirs.close()
        self._ready = False

    def _await_ready(self) -> None:
        """Wait for the server's "ready" (once): it has imported what every child needs."""
        if not self._ready:
            reply, _ = self._reply(time.monotonic() + START_TIMEOUT)
            if not reply.get("ready"):
                raise WarmStartError(f"the fork server did not start: {reply}")
            self._ready = True

    def alive(self) -> bool:
        return self.process.poll() is None

    def spawn(self, uid: int, errors: int) -> WarmChild:
        """A new isolated child running as ``uid``, its fd 2 writing to ``errors``."""
        self._await_ready()
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        status_read, status_write = os.pipe()
        try:
            request = json.dumps({"uid": uid, "tmp_bytes": SANDBOX_TMP_BYTES,
                                  "within_tmp": read_only_within("/tmp")}).encode()
            socket.send_fds(self.control, [request], [theirs.fileno(), errors, status_write])
        except OSError as error:
            ours.close()
            os.close(status_read)
            raise WarmStartError(f"the fork server is gone: {error}") from None
        finally:
            theirs.close()
            os.close(status_write)
        try:
            reply, fds = self._reply(time.monotonic() + START_TIMEOUT)
        except WarmStartError:
            ours.close()
            os.close(status_read)
            raise
        if not reply.get("started") or len(fds) != 1:
            for fd in fds:
                os.close(fd)
            ours.close()
            os.close(status_read)
            raise WarmStartError(f"the fork server could not start a child: {reply.get('error', reply)}")
        return WarmChild(ours, fds[0], status_read)

    def _reply(self, deadline: float) -> tuple[dict, list[int]]:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not select.select([self.control], [], [], remaining)[0]:
            raise WarmStartError("the fork server did not answer in time")
        message, fds, _, _ = socket.recv_fds(self.control, 4096, 1)
        if not message:
            raise WarmStartError("the fork server ended: " + self._log_start())
        try:
            return json.loads(message), fds
        except ValueError:
            for fd in fds:
                os.close(fd)
            raise WarmStartError("the fork server answered something unreadable") from None

    def _log_start(self) -> str:
        self.log.seek(0)
        return self.log.read(2000).decode(errors="replace")

    def close(self) -> None:
        self.control.close()
        self.log.close()
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except OSError:
            pass
        self.process.wait()


_lock = threading.Lock()
_server: ForkServer | None = None


def prestart(child_dir: Path) -> None:
    """Start this process's fork server now, without waiting for it to be ready."""
    global _server
    with _lock:
        if _server is None:
            try:
                _server = ForkServer(child_dir)
            except OSError:  # start_child tries again, and starts cold if it fails there too
                pass


def start_child(child_dir: Path, uid: int, errors: int) -> WarmChild:
    """A warm child from this process's fork server (started, or started again, as needed)."""
    global _server
    with _lock:
        if _server is None or not _server.alive():
            if _server is not None:
                _server.close()
                _server = None  # not a closed server, should a new one fail to start
            _server = ForkServer(child_dir)
        try:
            return _server.spawn(uid, errors)
        except (WarmStartError, OSError):
            _server.close()
            _server = None
            raise


def _forget_in_child() -> None:
    """A forked process (a pool worker) starts its own fork server: the parent's is the parent's."""
    global _server, _lock
    _lock = threading.Lock()
    if _server is not None:
        _server.control.close()
        _server = None


os.register_at_fork(after_in_child=_forget_in_child)
