"""The Jupyter kernel that runs a student's cells under ``nbgrader autograde``, inside the sandbox.

nbgrader starts an ordinary kernel as the user running autograde, so a student's cell could read or edit
anything that user can: the gradebook, the course folder, other students' notebooks, the hidden seed.
``SandboxedKernelManager`` starts the same ipykernel under the sandbox of ``autograder.sandbox.isolation``
(bubblewrap namespaces and, as root, a separate unprivileged user with hard limits): the kernel sees the
system's and Python's folders read-only, its own notebook's folder (its files read-only, new files in a
size-capped scratch space), a private ``/tmp``, no network and no grader process. It talks to nbgrader over
Unix sockets in a folder of its own, and every process it starts dies with it.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from traitlets import Integer

from .sandbox.isolation import Isolation, child_environment, crossable_parents, detect, sandbox_prefix

SOCKETS = "kernel"  # the sockets are <folder>/kernel-<n>, the connection file <folder>/kernel.json


class SandboxedKernelManager(AsyncKernelManager):
    """An AsyncKernelManager whose kernel runs in the sandbox (at the level ``detect()`` finds; at ``none``
    it is an ordinary kernel, and the log says so)."""

    memory = Integer(4 << 30, help="Address space the kernel may use (bytes).").tag(config=True)
    processes = Integer(256, help="Processes and threads the kernel's user may run (root level only).").tag(config=True)
    scratch = Integer(256 << 20, help="Bytes the kernel may write beside its notebook.").tag(config=True)

    async def _async_pre_start_kernel(self, **kw):
        self.isolation: Isolation = detect()
        if self.isolation.namespaces and not getattr(self, "_folder", None):  # a restart keeps its folder
            self._folder = Path(tempfile.mkdtemp(prefix="convgrade-kernel-"))
            self.transport, self.ip = "ipc", str(self._folder / SOCKETS)
            self.connection_file = str(self._folder / f"{SOCKETS}.json")
            self.kernel_spec.interrupt_mode = "message"  # a signal from outside cannot reach its process group
        self.log.log(30 if self.isolation.level != "root" else 20, "convgrade kernel sandbox: %s",
                     self.isolation.summary())
        return await super()._async_pre_start_kernel(**kw)

    def format_kernel_cmd(self, extra_arguments=None) -> list[str]:
        command = super().format_kernel_cmd(extra_arguments)
        if not self.isolation.namespaces:
            return command
        notebook = os.path.realpath(self._launch_args.get("cwd") or os.getcwd())
        env = {key: value for key, value in child_environment(True).items() if key != "MPLBACKEND"}  # inline figures
        env["JPY_PARENT_PID"] = "1"  # launched by a manager, which ipykernel cannot poll from inside
        prefix, uid = sandbox_prefix(self.isolation, env, self._mounts(notebook), notebook)
        if uid is not None:
            for path in (self._folder, self._folder / f"{SOCKETS}.json"):
                os.chown(path, uid, uid)
        limits = [f"--as={self.memory}", "--core=0", *([f"--nproc={self.processes}"] if uid is not None else [])]
        return [*prefix, shutil.which("prlimit") or "prlimit", *limits, "--", *command]

    def _mounts(self, notebook: str) -> list[str]:
        """The sockets' folder as it is; the notebook's folder as a size-capped scratch space holding its
        files read-only (a symbolic link stays a link, resolved inside the sandbox, never a way out)."""
        mounts = [*crossable_parents(str(self._folder)), "--bind", str(self._folder), str(self._folder),
                  *crossable_parents(notebook), "--size", str(self.scratch), "--perms", "0777", "--tmpfs", notebook]
        for entry in sorted(os.listdir(notebook)):
            path = os.path.join(notebook, entry)
            mounts += ["--symlink", os.readlink(path), path] if os.path.islink(path) else ["--ro-bind", path, path]
        return mounts

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart)
        if not restart and getattr(self, "_folder", None):
            shutil.rmtree(self._folder, ignore_errors=True)

