"""Which operating-system isolation the sandbox child runs under, and the command that starts it.

Three levels, detected once per process and reported with every grade (never silently weaker):

- ``root``: the grader runs as root (a container, Gradescope, CI). bubblewrap builds new PID, mount,
  network, IPC and UTS namespaces; ``setpriv`` then drops to a dedicated unprivileged user, different for
  every sandbox, with no capabilities and ``no_new_privs``.
- ``userns``: the grader is an ordinary user and the kernel allows unprivileged user namespaces: the
  same namespaces, but the code keeps the grader's user id (inside its own user namespace).
- ``none``: no bubblewrap, or namespaces refused. Only the hard resource limits and a process group.

In both namespace levels the child sees a read-only root made of ``/usr``, ``/etc`` and Python's own
folders, with the grader's packages, its project folder and its metadata covered by empty mounts, a fresh
``/proc`` that shows only the sandbox's processes, a private size-capped ``/tmp`` and no network.
"""
from __future__ import annotations

import functools
import glob
import importlib.util
import itertools
import os
import shutil
import signal
import site
import subprocess
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

Level = Literal["root", "userns", "none"]

GRADER_PACKAGES = ["autograder", "cnn_reference"]  # never visible to student code (see grader_packages)
ASSIGNMENT_ENTRY_POINTS = "convgrade.assignments"  # where other installed packages register assignments
DISTRIBUTION = "convgrade"
CHILD_DIR = "/convgrade"  # where the child's files appear inside the sandbox
SANDBOX_FILES = Path(__file__).parent  # where they are on the grader's side
CHILD_FILES = ("child.py", "codec.py", "guard.py", "forkserver.py")
FORKSERVER_CAPABILITIES = ("CAP_SYS_ADMIN", "CAP_SETUID", "CAP_SETGID", "CAP_SETPCAP")  # see forkserver.py
SANDBOX_TMP_BYTES = 64 << 20
UID_BASE = 2_000_000_000  # + (pid << 4) + a counter: one unprivileged user per sandbox (root level)
SYSTEM_ROOTS = ("/usr", "/etc")
SYSTEM_LINKS = ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
PASSED_ENVIRONMENT = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "LANG", "LC_ALL")

PROTECTIONS = {
    "root": ("student code runs as a separate unprivileged user with no capabilities",
             "it sees no grader process (own PID namespace) and cannot signal one",
             "it cannot read the reference, the grader, the hidden seed or other submissions (own mount namespace)",
             "it has no network and no shared IPC",
             "every process it starts is killed before any report is written",
             "hard limits on memory, CPU time, file size and number of processes"),
    "userns": ("student code sees no grader process (own PID namespace) and cannot signal one",
               "it cannot read the reference, the grader, the hidden seed or other submissions (own mount namespace)",
               "it has no network and no shared IPC",
               "every process it starts is killed before any report is written",
               "hard limits on memory, CPU time and file size",
               "not held: it runs under the grader's own user id (inside a user namespace)"),
    "none": ("hard limits on memory, CPU time and file size; its own process group",
             "NOT held: student code runs as the grading user and can read any file that user can read "
             "(the reference, the hidden seed), signal the grader's processes, use the network, and leave "
             "processes behind that escape its process group"),
}


@dataclass(frozen=True)
class Isolation:
    """The isolation level in force, why, and how to start a child under it."""

    level: Level
    reason: str = ""  # why not a stronger level

    @property
    def namespaces(self) -> bool:
        return self.level != "none"

    def summary(self) -> str:
        """One line for people: the level and what holds."""
        text = f"{self.level}: " + "; ".join(PROTECTIONS[self.level])
        return text + (f" ({self.reason})" if self.reason else "")

    def to_dict(self) -> dict:
        return {"level": self.level, "protections": list(PROTECTIONS[self.level]), "reason": self.reason}


@dataclass
class ChildCommand:
    """argv and environment of one sandbox child, and the user id it runs as (None: the grader's)."""

    argv: list[str]
    env: dict[str, str]
    uid: int | None = None
    pass_fds: tuple[int, ...] = field(default=())


_uids = itertools.count()


def child_environment(namespaces: bool) -> dict[str, str]:
    """A clean environment: nothing of the grader's (its seed variable included) but a few numeric settings."""
    home = "/tmp" if namespaces else None
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
           "MKL_NUM_THREADS": "1", "MPLBACKEND": "Agg", "PYTHONDONTWRITEBYTECODE": "1"}
    if home:
        env.update(HOME=home, MPLCONFIGDIR=f"{home}/.matplotlib", XDG_CACHE_HOME=f"{home}/.cache")
    env.update({key: os.environ[key] for key in PASSED_ENVIRONMENT if key in os.environ})
    return env


def child_command(isolation: Isolation, child_dir: Path, info_fd: int | None) -> ChildCommand:
    """How to start ``child.py`` (in ``child_dir``) at ``isolation``; ``info_fd`` receives bubblewrap's
    JSON with the sandbox's process id."""
    env = child_environment(isolation.namespaces)
    if not isolation.namespaces:
        return ChildCommand([sys.executable, "-I", str(child_dir / "child.py")], env)
    prefix, uid = sandbox_prefix(isolation, env, child_mounts(child_dir), "/tmp", info_fd)
    return ChildCommand([*prefix, sys.executable, "-I", f"{CHILD_DIR}/child.py"], env, uid,
                        (info_fd,) if info_fd is not None else ())


def forkserver_command(child_dir: Path) -> ChildCommand:
    """How to start ``forkserver.py`` (root level only): in the sandbox's namespaces and file system, as root
    with ``FORKSERVER_CAPABILITIES`` and no others; each child it forks drops them all (see forkserver.py)."""
    env = child_environment(True)
    argv = bubblewrap_arguments(Isolation("root"), env, child_mounts(child_dir), "/tmp")
    for capability in FORKSERVER_CAPABILITIES:
        argv[-1:-1] = ["--cap-add", capability]
    return ChildCommand([*argv, sys.executable, "-I", f"{CHILD_DIR}/forkserver.py"], env)


def read_only_within(folder: str) -> list[str]:
    """The read-only binds of ``filesystem_arguments`` that lie in ``folder`` (a virtual environment in /tmp):
    the fork server binds them again over each sandbox's fresh /tmp."""
    arguments = filesystem_arguments()
    found: list[str] = []
    for k, argument in enumerate(arguments):
        if argument == "--ro-bind" and _within(arguments[k + 2], folder) and arguments[k + 2] != folder:
            if not any(_within(arguments[k + 2], outer) for outer in found):  # covers within come along
                found.append(arguments[k + 2])
    return found


def child_mounts(child_dir: Path) -> list[str]:
    """bubblewrap's arguments that show the child's files (``CHILD_FILES``) read-only at ``CHILD_DIR``."""
    mounts = ["--perms", "0755", "--dir", CHILD_DIR]
    for name in CHILD_FILES:
        mounts += ["--ro-bind", str(child_dir / name), f"{CHILD_DIR}/{name}"]
    return mounts


def sandbox_prefix(isolation: Isolation, env: dict[str, str], mounts: Sequence[str], chdir: str,
                   info_fd: int | None = None) -> tuple[list[str], int | None]:
    """bubblewrap (and, as root, setpriv) arguments that run the command that follows them in the sandbox,
    in ``chdir``, with bubblewrap's ``mounts`` added to the file system of ``filesystem_arguments``, and the
    user id it will run as."""
    argv = bubblewrap_arguments(isolation, env, mounts, chdir, info_fd)
    if isolation.level != "root":
        return argv, None
    uid = sandbox_uid()
    argv += [shutil.which("setpriv") or "setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
             "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs"]
    return argv, uid


def sandbox_uid() -> int:
    """A user id for the next sandbox (root level): this process's own range, a different one each time."""
    return UID_BASE + (os.getpid() << 4) + next(_uids) % 16


def bubblewrap_arguments(isolation: Isolation, env: dict[str, str], mounts: Sequence[str], chdir: str,
                         info_fd: int | None = None) -> list[str]:
    """bubblewrap's command line up to and including "--": new namespaces, ``env`` only, the file system."""
    argv = [bwrap(), "--die-with-parent", "--new-session", "--unshare-pid", "--unshare-net", "--unshare-ipc",
            "--unshare-uts", "--unshare-cgroup-try", "--clearenv"]
    if isolation.level == "userns":
        argv.append("--unshare-user")
    for key, value in env.items():
        argv += ["--setenv", key, value]
    argv += [*filesystem_arguments(), *mounts, "--chdir", chdir]
    if info_fd is not None:
        argv += ["--info-fd", str(info_fd)]
    argv.append("--")
    return argv


def exit_text(code: int | None, bubblewrap: bool) -> str:
    """How the child ended, for people; ``bubblewrap`` passes a killed child's signal on as 128 + signal."""
    if code is None:
        return "the grading process ended"
    if bubblewrap and code > 128 and code - 128 in signal.Signals._value2member_map_:
        code = 128 - code
    if code < 0:
        name = signal.Signals(-code).name if -code in signal.Signals._value2member_map_ else str(-code)
        return f"the process was killed by signal {name}"
    return f"the code ended the process (exit code {code})"


def crossable_parents(path: str) -> list[str]:
    """bubblewrap arguments that create the folders above ``path`` the child can cross (bubblewrap's own
    are 0700, which an unprivileged child cannot); folders that exist stay as they are."""
    arguments: list[str] = []
    for parent in reversed(Path(path).parents):
        if parent != Path("/"):
            arguments += ["--perms", "0755", "--dir", str(parent)]
    return arguments


@functools.cache
def filesystem_arguments() -> tuple[str, ...]:
    """bubblewrap's arguments for the child's file system: read-only system and Python folders, the
    grader's own files covered, fresh /proc and /dev, a private /tmp."""
    arguments = ["--size", str(SANDBOX_TMP_BYTES), "--perms", "1777", "--tmpfs", "/tmp"]  # first: Python may live in /tmp
    created: set[str] = {"/", "/tmp"}

    def parents(path: str) -> None:  # bubblewrap would make missing parents 0700, which the child cannot cross
        for parent in reversed(Path(path).parents):
            if str(parent) not in created:
                created.add(str(parent))
                arguments.extend(["--perms", "0755", "--dir", str(parent)])

    bound: list[str] = []
    for link in SYSTEM_LINKS:
        if os.path.islink(link):
            arguments.extend(["--symlink", os.readlink(link), link])
        elif os.path.isdir(link):
            bound.append(link)
    for folder in (*SYSTEM_ROOTS, *python_folders()):
        if os.path.isdir(folder) and not any(_within(folder, root) for root in bound):
            bound.append(folder)
    for folder in bound:
        parents(folder)
        arguments.extend(["--ro-bind", folder, folder])
        created.add(folder)
    for path in grader_paths():
        if any(_within(path, root) for root in bound):
            arguments.extend(["--tmpfs", path] if os.path.isdir(path) else ["--ro-bind", "/dev/null", path])
    arguments += ["--proc", "/proc", "--dev", "/dev"]
    return tuple(arguments)


def python_folders() -> list[str]:
    """The interpreter's prefixes and site-packages (resolved), where numpy and the standard library are."""
    folders = [sys.prefix, sys.base_prefix, os.path.dirname(os.path.dirname(os.path.realpath(sys.executable)))]
    folders += site.getsitepackages()
    numpy = importlib.util.find_spec("numpy")
    if numpy and numpy.submodule_search_locations:
        folders.append(os.path.dirname(list(numpy.submodule_search_locations)[0]))
    return sorted({os.path.realpath(folder) for folder in folders} | set(folders), key=len)


def grader_paths() -> list[str]:
    """Everything of the grader's that must not be visible: its packages, the source tree of an editable
    install (solutions/ and the seed included), and the distribution's metadata and import hooks."""
    paths: set[str] = set()
    for name in grader_packages():
        spec = importlib.util.find_spec(name)
        for location in (spec.submodule_search_locations or []) if spec else []:
            for path in (location, os.path.realpath(location)):
                paths.add(path)
                project = os.path.dirname(path)
                if os.path.isfile(os.path.join(project, "pyproject.toml")):
                    paths.add(project)
    for folder in {*site.getsitepackages(), *python_folders()}:
        for pattern in (f"{DISTRIBUTION}*.dist-info", f"__editable__*{DISTRIBUTION}*"):
            paths.update(glob.glob(os.path.join(folder, pattern)))
    return sorted(paths)


def grader_packages() -> list[str]:
    """The grader's own packages and the top-level package of every assignment another installed package
    registers (its reference and mutants are answers too), found without importing them."""
    return list(_grader_packages())


@functools.cache
def _grader_packages() -> tuple[str, ...]:
    registered = {entry.module.split(".")[0] for entry in assignment_entry_points()}
    return tuple(sorted({*GRADER_PACKAGES, *registered}))


def entry_points(group: str):
    """importlib.metadata's, imported when first needed (importing it takes about 20 ms)."""
    from importlib import metadata

    return metadata.entry_points(group=group)


@functools.cache
def assignment_entry_points() -> tuple:
    """The entry points other installed packages register assignments with (reading every installed
    distribution's metadata takes about 15 ms: once per process)."""
    return tuple(entry_points(group=ASSIGNMENT_ENTRY_POINTS))


def _within(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip("/") + "/")


def bwrap() -> str:
    return shutil.which("bwrap") or "bwrap"


_detecting = threading.Lock()


def _fresh_lock_in_child() -> None:
    """A forked child never waits for a probe that ran in one of its parent's threads (not in the child)."""
    global _detecting
    _detecting = threading.Lock()


os.register_at_fork(after_in_child=_fresh_lock_in_child)


def detect() -> Isolation:
    """The strongest level this machine allows, found by starting an empty sandbox once per process (callers
    in other threads meanwhile wait for that one probe)."""
    with _detecting:
        return _detect()


def root_level_possible() -> bool:
    """Whether the root level is possible here before any probe: root outside any user namespace, with
    bubblewrap and setpriv installed (``detect`` says whether it holds)."""
    return _real_root() and shutil.which("bwrap") is not None and shutil.which("setpriv") is not None


@functools.cache
def _detect() -> Isolation:
    if shutil.which("bwrap") is None:
        return Isolation("none", "bubblewrap (bwrap) is not installed")
    root = _real_root()
    if root and shutil.which("setpriv") is None:
        return Isolation("none", "setpriv (util-linux) is not installed")
    level: Level = "root" if root else "userns"
    prefix, _ = sandbox_prefix(Isolation(level), child_environment(True), (), "/tmp")
    try:
        result = subprocess.run([*prefix, "/bin/true"], capture_output=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as error:
        return Isolation("none", f"bubblewrap could not start: {error}")
    if result.returncode != 0:
        why = result.stderr.decode(errors="replace").strip().splitlines()
        return Isolation("none", f"bubblewrap could not create namespaces here: {why[-1] if why else result.returncode}")
    return Isolation(level, "" if root else "the grader does not run as root")


def _real_root() -> bool:
    """Root outside any user namespace."""
    return os.geteuid() == 0 and _initial_user_namespace()


def _initial_user_namespace() -> bool:
    """True outside any user namespace (root here is the machine's root, not a mapped one)."""
    try:
        with open("/proc/self/uid_map") as handle:
            return handle.read().split() == ["0", "0", "4294967295"]
    except OSError:
        return False
