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
(channel, error file, the write end of a status pipe). The server forks the submission's pid 1 straight into a
new PID namespace (one fork a submission: pid 1 makes the other namespaces itself); pid 1 answers {"started":
true} with a pidfd of itself, or {"error": text} (so does the server when it refuses the request), and when
pid 1 ends the server writes its exit status (as bubblewrap passes it on: the code, or 128 + signal) to the
status pipe. The grader kills a submission through the pidfd: every process of the namespace dies with its
pid 1.
"""
import ctypes
import json
import os
import random
import runpy
import select
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


def setns(fd, kind):
    _check(libc.setns(ctypes.c_int(fd), ctypes.c_int(kind)), "setns")


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
    """Answer requests until the grader closes the socket; write each submission's exit status when its pid 1
    ends."""
    own_pid_namespace = os.open("/proc/self/ns/pid", os.O_RDONLY | os.O_CLOEXEC)
    running = {}  # pidfd of a submission's pid 1 -> (its pid, the write end of its status pipe)
    control.send(json.dumps({"ready": True}).encode())
    while True:
        ready, _, _ = select.select([control, *running], [], [])
        for pidfd in ready:
            if pidfd in running:
                report_exit(pidfd, *running.pop(pidfd))
        if control not in ready:
            continue
        message, fds, _, _ = socket.recv_fds(control, 4096, 3)
        if not message:
            return
        started = start_submission(message, fds, control, own_pid_namespace)
        if started is not None:
            running[started[0]] = started[1:]


def report_exit(pidfd, pid, status):
    """The ended pid 1's exit status, as bubblewrap passes its command's on, to the grader's status pipe."""
    _, wait_status = os.waitpid(pid, 0)
    try:
        os.write(status, str(encoded_status(wait_status)).encode())
    except OSError:  # the grader closed its end: nobody is waiting
        pass
    os.close(status)
    os.close(pidfd)


def start_submission(message, fds, control, own_pid_namespace):
    """Fork a request's pid 1 straight into a new PID namespace: (a pidfd of it, its pid, the status pipe), or
    None when the request is refused (the grader is told why)."""
    if len(fds) != 3:
        for fd in fds:
            os.close(fd)
        control.send(json.dumps({"error": "a request needs three file descriptors"}).encode())
        return None
    channel, errors, status = fds
    try:
        request = json.loads(message)
        uid, tmp_bytes = int(request["uid"]), int(request["tmp_bytes"])
        within_tmp = [str(path) for path in request["within_tmp"]]
        if uid < FIRST_SANDBOX_UID:
            raise ValueError(f"user id {uid} is not a sandbox's")
        sys.stdout.flush()
        sys.stderr.flush()
        setns(own_pid_namespace, CLONE_NEWPID)  # a new namespace for children needs ours as the one before
        unshare(CLONE_NEWPID)
        pid = os.fork()
    except (OSError, KeyError, TypeError, ValueError) as error:
        for fd in fds:
            os.close(fd)
        control.send(json.dumps({"error": str(error)}).encode())
        return None
    if pid == 0:
        code = 1
        try:
            code = pid_one(uid, tmp_bytes, within_tmp, control, channel, errors)
        finally:
            os._exit(code)
    setns(own_pid_namespace, CLONE_NEWPID)
    os.close(channel)
    os.close(errors)
    return os.pidfd_open(pid), pid, status


def pid_one(uid, tmp_bytes, within_tmp, control, channel, errors):
    """pid 1 of the submission's namespace: make the other namespaces and the file system, answer the grader
    (a pidfd of itself, or why not), become ``uid``, start the child (pid 2), reap every orphan until the child
    ends, and end with its status."""
    try:
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        close_all_but({control.fileno(), channel, errors})  # at once: other submissions' status pipes among them
        unshare(CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWUTS)
        mount(None, "/", None, MS_REC | MS_PRIVATE)
        fresh_tmp(tmp_bytes, within_tmp)
        itself = os.pidfd_open(os.getpid())
    except (OSError, ValueError) as error:
        control.send(json.dumps({"error": str(error)}).encode())
        return 1
    socket.send_fds(control, [json.dumps({"started": True}).encode()], [itself])
    os.close(itself)
    control.close()
    try:
        fresh_proc()
        os.dup2(errors, 2)
        close_all_but({channel, errors})  # the fork server's log included
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
