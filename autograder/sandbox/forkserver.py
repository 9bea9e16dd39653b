"""Warm start at the root level: one per grading process, run as ``python -I forkserver.py`` under bubblewrap
as root with four capabilities (CAP_SYS_ADMIN, CAP_SETUID, CAP_SETGID, CAP_SETPCAP) and nothing of the
grader's on its file system. It imports what every child needs (numpy, numpy.random, ``child.py`` with
``codec.py`` and ``guard.py``) once, never runs student code, and for each submission forks a child that it
isolates as bubblewrap and setpriv isolate a cold one before ``child.main()`` runs:

- new PID, mount, IPC, network and UTS namespaces (nothing a previous submission made is reachable: its
  processes died with its PID namespace, its /tmp, SysV IPC, abstract sockets and host name with the rest);
- pid 1 of the new PID namespace is a reaper, the child is pid 2 (as under bubblewrap);
- a fresh /proc that shows only the submission's processes, with sys, sysrq-trigger, irq and bus read-only
  where writable, and a fresh size-capped /tmp (the folders of Python that lie in /tmp bound again);
- the unprivileged user id the grader chose for this sandbox, no supplementary groups, every capability
  dropped (bounding, inheritable, ambient, effective, permitted), no_new_privs, a new session;
- only the file descriptors the grader sent: the channel (fds 0 and 1) and the error file (fd 2);
- Python's and numpy's random generators seeded afresh, as in a new process (the string hash seed alone is
  the fork server's: no grade depends on it).

Protocol on fd 0, a SOCK_SEQPACKET socket: the grader sends {"uid", "tmp_bytes", "within_tmp"} with three descriptors
(channel, error file, the write end of a status pipe); the first fork answers {"started": true} with a pidfd
of the submission's pid 1, or {"error": text}, and when that pid 1 ends writes its exit status (as bubblewrap
passes it on: the code, or 128 + signal) to the status pipe. The grader kills a submission through the pidfd:
every process of the namespace dies with its pid 1.
"""
import ctypes
import json
import os
import random
import runpy
import signal
import socket
import sys

CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC = 0x00020000, 0x04000000, 0x08000000
CLONE_NEWPID, CLONE_NEWNET = 0x20000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
MNT_DETACH = 2
PR_SET_PDEATHSIG, PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS, PR_CAP_AMBIENT = 1, 24, 38, 47
PR_CAP_AMBIENT_CLEAR_ALL = 4
CAPABILITY_VERSION_3 = 0x20080522
READ_ONLY_PROC = ("sys", "sysrq-trigger", "irq", "bus")
FIRST_SANDBOX_UID = 65536  # never a system user's, let alone root's
libc = ctypes.CDLL(None, use_errno=True)


# child.py's globals (it loads codec.py, guard.py and numpy): the autograder package is not there to import
child = runpy.run_path(os.path.join(os.path.dirname(__file__), "child.py"), run_name="_convgrade_child")
import numpy.random  # noqa: E402  (what most notebooks import: once here, not in every child)


def _check(result, what):
    if result != 0:
        error = ctypes.get_errno()
        raise OSError(error, f"{what}: {os.strerror(error)}")


def unshare(flags):
    _check(libc.unshare(ctypes.c_int(flags)), "unshare")


def mount(source, target, kind, flags, data=None):
    _check(libc.mount(source and source.encode(), target.encode(), kind and kind.encode(), ctypes.c_ulong(flags),
                      data and data.encode()), f"mount {target}")


def prctl(option, value):
    _check(libc.prctl(ctypes.c_int(option), ctypes.c_ulong(value), ctypes.c_ulong(0), ctypes.c_ulong(0),
                      ctypes.c_ulong(0)), f"prctl {option}")


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


def clear_capabilities():
    """Effective, permitted and inheritable sets emptied (after the change of user has emptied the first two)."""
    _check(libc.capset(ctypes.byref(_CapHeader(CAPABILITY_VERSION_3, 0)), (_CapData * 2)()), "capset")


def _last_capability():
    with open("/proc/sys/kernel/cap_last_cap") as handle:
        return int(handle.read())


LAST_CAPABILITY = _last_capability()


def become(uid):
    """The unprivileged ``uid`` for good: bounding set and ambient capabilities dropped, then the user changed
    (which empties the permitted and effective sets), then inheritable cleared and no_new_privs set."""
    for capability in range(LAST_CAPABILITY + 1):
        prctl(PR_CAPBSET_DROP, capability)
    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL)
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)
    clear_capabilities()
    prctl(PR_SET_NO_NEW_PRIVS, 1)


def fresh_proc():
    """A /proc of the new PID namespace (mounted from inside it) instead of the fork server's, its
    kernel-tuning parts read-only where they are writable, as bubblewrap does."""
    _check(libc.umount2(b"/proc", ctypes.c_int(MNT_DETACH)), "umount /proc")
    mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    for name in READ_ONLY_PROC:
        path = f"/proc/{name}"
        if os.access(path, os.W_OK):
            mount(path, path, None, MS_BIND | MS_REC)
            mount(None, path, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC)


def close_all_but(kept):
    """Close every file descriptor above 2 that is not in ``kept``."""
    start = 3
    for fd in sorted(fd for fd in kept if fd >= start):
        os.closerange(start, fd)
        start = fd + 1
    os.closerange(start, os.sysconf("SC_OPEN_MAX"))


def fresh_tmp(size, within):
    """A new, empty, size-capped /tmp, with the read-only folders of the sandbox's file system that lie in
    /tmp (Python itself may: a virtual environment there) bound again where they were, as they were (the
    grader's files covered within them stay covered)."""
    held = [(path, os.open(path, os.O_PATH | os.O_CLOEXEC)) for path in within]  # reachable once covered
    try:
        mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, f"size={size},mode=1777")
        for path, fd in held:
            parent = os.path.dirname(path)
            os.makedirs(parent, mode=0o755, exist_ok=True)
            for folder in _folders_between("/tmp", parent):
                os.chmod(folder, 0o755)  # crossable by the sandbox's user, whatever the umask
            if os.path.isdir(f"/proc/self/fd/{fd}"):
                os.mkdir(path, 0o755)
            else:
                os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o644))
            mount(f"/proc/self/fd/{fd}", path, None, MS_BIND | MS_REC)
            mount(None, path, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)
    finally:
        for _, fd in held:
            os.close(fd)


def _folders_between(top, folder):
    """The folders from ``top`` (excluded) down to ``folder`` (included)."""
    found = []
    while folder != top and folder.startswith(top + "/"):
        found.append(folder)
        folder = os.path.dirname(folder)
    return found


def encoded_status(status):
    """A wait status as bubblewrap passes its command's on: the exit code, or 128 + the signal."""
    return 128 + os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)


def serve(control):
    """Answer requests until the grader closes the socket."""
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the first forks are reaped by the kernel
    control.send(json.dumps({"ready": True}).encode())
    while True:
        message, fds, _, _ = socket.recv_fds(control, 4096, 3)
        if not message:
            return
        if len(fds) != 3:
            for fd in fds:
                os.close(fd)
            control.send(json.dumps({"error": "a request needs three file descriptors"}).encode())
            continue
        sys.stdout.flush()
        sys.stderr.flush()
        if os.fork() == 0:
            code = 1
            try:
                code = first_fork(json.loads(message), control, *fds)
            finally:
                os._exit(code)
        for fd in fds:
            os.close(fd)


def first_fork(request, control, channel, errors, status):
    """Make the namespaces, start their pid 1, answer the grader, then pass pid 1's exit status on."""
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    try:
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        uid, tmp_bytes = int(request["uid"]), int(request["tmp_bytes"])
        if uid < FIRST_SANDBOX_UID:
            raise ValueError(f"user id {uid} is not a sandbox's")
        unshare(CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWUTS)
        mount(None, "/", None, MS_REC | MS_PRIVATE)
        fresh_tmp(tmp_bytes, [str(path) for path in request["within_tmp"]])
        init = os.fork()
    except (OSError, KeyError, TypeError, ValueError) as error:
        control.send(json.dumps({"error": str(error)}).encode())
        return 1
    if init == 0:
        control.close()
        os.close(status)
        return pid_one(uid, channel, errors)
    pidfd = os.pidfd_open(init)
    socket.send_fds(control, [json.dumps({"started": True}).encode()], [pidfd])
    for fd in (pidfd, channel, errors):
        os.close(fd)
    control.close()
    _, wait_status = os.waitpid(init, 0)
    os.write(status, str(encoded_status(wait_status)).encode())
    return 0


def pid_one(uid, channel, errors):
    """pid 1 of the submission's namespace: finish its file system, become ``uid``, start the child (pid 2),
    reap every orphan until the child ends, and end with its status."""
    try:
        fresh_proc()
        os.dup2(errors, 2)
        close_all_but({channel, errors})  # the fork server's own (its log) included
        os.chdir("/tmp")
        become(uid)
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL)  # after the change of user, which clears it
    except OSError as error:
        os.write(errors, f"the warm sandbox could not be set up: {error}\n".encode())
        return 1
    pid = os.fork()
    if pid == 0:
        run_child(channel, errors)
        return 0
    os.close(channel)
    os.close(errors)
    while True:
        try:
            waited, wait_status = os.wait()
        except ChildProcessError:
            return 1
        if waited == pid:
            return encoded_status(wait_status)


def run_child(channel, errors):
    """pid 2: a new session, the channel on fds 0 and 1, errors on 2, nothing else open; fresh random state."""
    os.setsid()
    os.dup2(channel, 0)
    os.dup2(channel, 1)
    os.dup2(errors, 2)
    close_all_but(set())
    random.seed()
    numpy.random.seed()
    try:
        child["main"]()
    finally:
        sys.stdout.flush()
        os._exit(0)


def main():
    control = socket.socket(fileno=os.dup(0))
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.close(devnull)
    serve(control)


if __name__ == "__main__":
    main()
