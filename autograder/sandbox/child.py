"""Sandbox child, run as ``python -I child.py`` under the isolation of ``isolation.py``: frames in on
fd 0, out on fd 1. Imports only the standard library, numpy, ``codec.py`` and ``guard.py`` (beside this file).

Before any student code runs it imports numpy, lowers its own hard limits (memory, CPU time, file size,
processes: a hard limit cannot be raised again without privileges) and says "ready". It then executes a
submission's cells once (the "zygote") and runs each exercise in a forked grandchild with lower hard
limits, so a crash, exit, hang or monkeypatch costs only that exercise. Helpers an exercise may call ("a
mistake costs once") are stubs that ask the parent over the channel: this process never holds any answer.
Everything it reports is checked by the parent, which also enforces every deadline.

Two things keep verdicts about the student's code alone: a module the grader does not have (a course's
``import h5py``) is a stand-in that fails only when used, and a cell's top-level statement that fails
only for that reason is skipped (and reported) while the rest of the cell runs; and numpy behaves like
numpy 2.4 on every numpy version (``like_numpy_2_4``). Figures cannot change a grade, so matplotlib is a
stand-in that draws nothing (``guard.Plotting``); a top-level statement that computes with what it returns
is skipped quietly, and a graded function that does so fails with PlotOnly.
"""
import ast
import builtins
import importlib.util
import linecache
import math
import os
import re
import resource
import select
import signal
import socket
import sys
import time
import warnings


def _load(name):
    """A sibling module of this file, loaded by path (the autograder package is not there to import)."""
    spec = importlib.util.spec_from_file_location(f"_convgrade_{name}", os.path.join(os.path.dirname(__file__), f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


codec = _load("codec")
guard = _load("guard")
REPLIES = {"ValueError": ValueError, "TypeError": TypeError, "IndexError": IndexError, "KeyError": KeyError,
           "MemoryError": MemoryError, "ZeroDivisionError": ZeroDivisionError}
IMPORT_ERRORS = {"ImportError", "ModuleNotFoundError", "Exception", "BaseException"}
DEFINED = re.compile(r"^[ \t]*(?:async[ \t]+)?(?:def|class)[ \t]+(\w+)|^[ \t]*(\w+)[ \t]*=[^=]", re.MULTILINE)
NUMPY_FILTER = (
    "always", re.compile(re.escape(guard.NUMPY_CONVERSION), re.IGNORECASE), DeprecationWarning, None, 0)
SHOW_WARNING = warnings._showwarnmsg
QUIET = None  # /dev/null, opened by main(): what a speculated helper call prints goes there
MAX_SPECULATED_CALLS = 50_000  # per case; more, and the exercise runs again with every call answered by the parent
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


class CellTimeout(BaseException):
    """Raised in the main thread when a cell runs past its time limit."""


_send_fds = socket.send_fds
_socketpair = socket.socketpair


class Channel:
    """Frames over a pair of file descriptors (one Unix socket, when descriptors are to be sent)."""

    def __init__(self, read_fd, write_fd, limit=codec.MAX_FRAME):
        self.read_fd, self.write_fd = read_fd, write_fd
        self.reader = codec.FrameReader(limit)
        self.pending = []
        self._socket = None

    def send(self, message):
        self.send_raw(codec.frame(message))

    def send_raw(self, data):
        while data:
            data = data[os.write(self.write_fd, data):]

    def close(self):
        if self._socket is not None:
            self._socket.detach()
        os.close(self.read_fd)
        os.close(self.write_fd)

    def send_with_fd(self, message, fd):
        """``message`` with the descriptor ``fd`` attached (to its first byte)."""
        if self._socket is None:
            self._socket = socket.socket(fileno=self.write_fd)  # kept: it owns write_fd from now on
        data = codec.frame(message)
        self.send_raw(data[_send_fds(self._socket, [data], [fd]):])

    def receive(self):
        while not self.pending:
            chunk = os.read(self.read_fd, 1 << 16)
            if not chunk:
                os._exit(0)  # the parent is gone
            self.pending.extend(self.reader.feed(chunk))
        return self.pending.pop(0)


def describe(error, labels):
    return guard.describe_error(error, labels.__contains__)


def like_numpy_2_4():
    """numpy 2.0 to 2.3 only warn where numpy 2.4 raises TypeError: float(), int() or complex() of an array of
    one element with ndim > 0 (the course template's float(b)). Raise it here too, with numpy 2.4's message
    (numpy then turns it into its own ValueError where it stores such an array in one element, as 2.4 does),
    whatever warning filters the student's code sets: ours goes first again whenever they change
    (``pin_on_change``) and before every cell and every case, and the warning is raised where warnings are
    shown, which `catch_warnings(record=True)` does not bypass."""
    warnings._showwarnmsg = _show_warning
    filters = warnings.filters
    if filters[:1] != [NUMPY_FILTER]:
        if NUMPY_FILTER in filters:
            filters.remove(NUMPY_FILTER)
        filters.insert(0, NUMPY_FILTER)


def pin_on_change():
    """Pin our filter again after every change that the warnings module's own functions make."""
    for name in ("_filters_mutated", "_filters_mutated_lock_held"):  # the latter: Python 3.14
        changed = getattr(warnings, name, None)
        if changed is not None:
            setattr(warnings, name, _then_pin(changed))


def _then_pin(changed):
    def pinned(*args):
        like_numpy_2_4()
        return changed(*args)
    return pinned


def _show_warning(message):
    guard.raise_like_numpy_2_4(message.message, message.category)
    SHOW_WARNING(message)


def survey(cells):
    """From the cells' syntax trees: every name they bind anywhere, the top-level modules they import with *,
    and (label, line) of every line inside a `try` that catches ImportError."""
    bound, starred, guarded = set(), set(), set()
    for cell in cells:
        try:
            tree = ast.parse(cell["source"], cell["label"])
        except (SyntaxError, ValueError, RecursionError, MemoryError):  # still, what it would define is no module's
            bound.update(name for pair in DEFINED.findall(cell["source"]) for name in pair if name)
            continue
        bound |= guard.binds(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and any(alias.name == "*" for alias in node.names):
                starred.add(node.module.partition(".")[0])
            if isinstance(node, ast.Try | ast.TryStar) and any(map(_catches_import_error, node.handlers)):
                lines = range(node.body[0].lineno, node.body[-1].end_lineno + 1)
                guarded.update((cell["label"], line) for line in lines)
    return bound, starred, guarded


def _catches_import_error(handler):
    kinds = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(kind is None or (isinstance(kind, ast.Name) and kind.id in IMPORT_ERRORS) for kind in kinds)


def lines_by_label(cells):
    """Each label's source lines. Cells that share a label (a script split at its cell markers) hold their
    lines at their place in the file and blank lines elsewhere, so together they are the file."""
    merged = {}
    for cell in cells:
        lines = merged.setdefault(cell["label"], [])
        for number, line in enumerate(cell["source"].splitlines(True)):
            if number == len(lines):
                lines.append(line)
            elif line.strip():
                lines[number] = line
    return merged


def vm_size():
    """Current virtual memory size in bytes: the first field of /proc/self/statm, in pages (read without a
    Python file object: every exercise's process asks, and /proc/self/status took it about 0.25 ms)."""
    fd = os.open("/proc/self/statm", os.O_RDONLY)
    try:
        return int(os.read(fd, 200).split()[0]) * PAGE_SIZE
    finally:
        os.close(fd)


def set_hard_limit(kind, value):
    """Lower both the soft and the hard limit (never above the current hard limit): for good."""
    _, hard = resource.getrlimit(kind)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    resource.setrlimit(kind, (value, value))


def redirect_output(path):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)


def read_start(path, limit):
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return ""
    try:
        return os.read(fd, limit).decode(errors="replace")
    finally:
        os.close(fd)


def kill_group(pid):
    """SIGKILL the process and its group (the process itself too, in case it has not made its group yet)."""
    for kill in (os.kill, os.killpg):
        try:
            kill(pid, signal.SIGKILL)
        except OSError:
            pass


class Helper:
    """A helper the exercise may call: the parent answers it (with the reference, or with the release's
    recorded answer), or tells it to call the student's own function ``own`` when it has no answer.

    Speculating (``calls`` is a ``Speculated``), a call of a helper the student defined is answered by ``own``
    at once, on copies of its arguments, and recorded (arguments, value) for the parent to check after the
    case: if every recorded value is the one the parent would have answered, the run stands as if the parent
    had answered each call; if not, the parent runs the exercise again, with ``answers``: its own answers to
    the calls that differed (by ``codec.call_key``), given without asking it. Where ``own`` raises an
    Exception, the run's first call of those argument types and shapes is asked of the parent instead (and
    not recorded); each later one is answered with a stand-in, a copy of that answer, and recorded like any
    speculated value: the parent finds it wrong unless it is the right answer, and gives the right one ahead
    in the next run (a ``conv_single_step`` that always raises costs one more run, not a round trip per
    call). A helper the parent named in ``ask`` (its own values stop the code) is not called: its calls that
    ``answers`` does not hold are answered the same way.
    """

    def __init__(self, name, channel, own, calls=None, answers=None, ask=False):
        self.name, self.channel, self.own, self.calls, self.answers = name, channel, own, calls, answers or {}
        self.ask = ask
        self.speculating = calls is not None and callable(own)
        self.stand_ins = {}  # argument signature -> the parent's answer to the first call of it that was asked
        self.__name__ = name

    def __call__(self, *args):
        if self.speculating:
            if self.answers:
                known = self.answers.get(codec.call_key(self.name, args))
                if known is not None:
                    return self._answered(known, args)
            if not self.ask:
                return self._speculate(args)
            return self._stood_in(args)
        return self._asked(args)

    def _stood_in(self, args):
        """The stand-in for a call of these argument types and shapes, recorded as its value; the first such
        call is asked, and its answer is the stand-in from then on."""
        signature = codec.call_signature(self.name, args)
        if signature is None or signature not in self.stand_ins:
            value = self._asked(args)
            if signature is not None:
                self.stand_ins[signature] = codec.copied(value)
            return value
        value = codec.copied(self.stand_ins[signature])
        self.calls.finish(self.calls.start(self.name, args), args, value)
        return value

    def _asked(self, args):
        self.channel.send({"event": "helper", "name": self.name, "args": codec.encode(args, raw=True)})
        return self._answered(self.channel.receive(), args)

    def _answered(self, reply, args):
        """What the call returns with the parent's answer: its value, its error, or the student's own."""
        if "error" in reply:
            raise REPLIES.get(reply["error"]["type"], RuntimeError)(reply["error"]["message"])
        if reply.get("own"):
            if not callable(self.own):
                raise NameError(f"name '{self.name}' is not defined")
            return self.own(*args)
        return codec.decode(reply["value"])

    def _speculate(self, args):
        call = self.calls.start(self.name, args)
        shown = sys.stdout, sys.stderr
        sys.stdout = sys.stderr = QUIET  # what it prints would not have been printed had the parent answered
        try:
            value = self.own(*codec.copied_args(args))
        except Exception:
            raised = True
        except BaseException:
            self.calls.raised(call, args)
            raise
        else:
            raised = False
        finally:
            sys.stdout, sys.stderr = shown
        if raised:
            self.calls.drop(call)
            return self._stood_in(args)
        self.calls.finish(call, args, value)
        return value


class Speculated:
    """One case's speculated helper calls: those whose arguments stack in ``codec.CallStacks``, the others as
    records {"name", "args", "value"} (or "raised") with their arrays stored once; ``last``: where the last
    one answered or raised is, ["stacks", stack, row] or ["calls", index]."""

    def __init__(self):
        self.clear()

    def clear(self):
        self.arrays, self.calls, self.stacks, self.last = codec.SharedArrays(), [], codec.CallStacks(), None

    def start(self, name, args):
        """A call of ``name`` on ``args`` about to be answered by the student's helper: a stack holding a copy
        of them, or a new record; past the limit, a record that the parent rejects."""
        if len(self.calls) + self.stacks.count >= MAX_SPECULATED_CALLS:
            return {"unchecked": True}
        stack = self.stacks.start(name, args)
        if stack is not None:
            return stack
        record = {"name": name, "args": codec.encode(args, self.arrays, raw=True)}
        self.calls.append(record)
        return record

    def finish(self, call, args, value):
        """The helper returned ``value``."""
        if type(call) is dict:
            call["value"] = codec.encode(value, raw=True)
            self.last = call
        else:
            self.stacks.finish(call, args, value)
            self.last = ["stacks", call.index, call.count - 1]

    def raised(self, call, args):
        """The helper raised a BaseException (the case ends): the call is recorded as raised."""
        if type(call) is not dict:
            call.abandon()
            call = {"name": call.name, "args": codec.encode(call.pending(args), self.arrays, raw=True)}
            self.calls.append(call)
        call["raised"] = True
        self.last = call

    def drop(self, call):
        """Forget ``call`` (the parent answered it after all)."""
        if type(call) is not dict:
            call.abandon()
            return
        index = self._index(call)
        if index is not None:
            del self.calls[index]

    def _index(self, record):
        for index in range(len(self.calls) - 1, -1, -1):
            if self.calls[index] is record:
                return index
        return None

    def to_message(self):
        if len(self.calls) + self.stacks.count >= MAX_SPECULATED_CALLS:
            return {"arrays": [], "calls": [{"unchecked": True}], "stacks": []}
        last = self.last
        if type(last) is dict:
            index = self._index(last)
            last = None if index is None else ["calls", index]
        return {"arrays": self.arrays.encoded, "calls": self.calls, "stacks": self.stacks.encoded(), "last": last}


class Zygote:
    def __init__(self, channel, settings):
        self.channel = channel
        self.settings = settings
        self.limits = settings["limits"]
        self.namespace = {"__name__": "__main__", "__builtins__": builtins}
        self.labels = set()
        self.memory_cap = 0
        self.stand_ins = guard.StandIns([*guard.BLOCKED, *settings["grader_packages"]], self.labels.__contains__,
                                        lambda place: place in self.survey()[2])
        self.cells, self.surveyed = [], None
        self.unset = set()  # names that only statements skipped for a stand-in would have set
        self.unset_by_plots = set()  # names that only statements skipped for computing with a figure would have set

    def start(self):
        """Everything before student code: limits that cannot be undone, output redirected."""
        limits = self.limits
        self.memory_cap = vm_size() + limits["memory"]
        set_hard_limit(resource.RLIMIT_AS, self.memory_cap)
        set_hard_limit(resource.RLIMIT_FSIZE, limits["output_bytes"])
        set_hard_limit(resource.RLIMIT_CPU, math.ceil(limits["cpu_seconds"]))
        set_hard_limit(resource.RLIMIT_CORE, 0)
        if self.settings["count_processes"]:
            set_hard_limit(resource.RLIMIT_NPROC, limits["processes"])
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # over the output limit: writes fail, no kill
        signal.signal(signal.SIGALRM, self._on_alarm)
        redirect_output("load.out")
        sys.meta_path.insert(0, guard.PlottingStandIns())
        sys.meta_path.append(self.stand_ins)
        pin_on_change()

    def load(self, request):
        """Run every cell not in ``skip``, saying when each starts, how it ended and which of its statements
        were skipped; then which functions it defined and which modules are stand-ins."""
        cells = request["cells"]
        self.labels.update(cell["label"] for cell in cells)
        for label, lines in lines_by_label(cells).items():
            linecache.cache[label] = (sum(map(len, lines)), None, lines, label)
        self.cells, self.surveyed = cells, None
        for index, cell in enumerate(cells):
            if index in request["skip"]:
                continue
            self.channel.send({"event": "cell", "index": index})
            error, skipped = self._run_cell(cell)
            self.channel.send({"event": "cell_done", "index": index, "error": error, "skipped": skipped})
        functions = sorted(name for name, value in self.namespace.items()
                           if callable(value) and not isinstance(value, guard.StandIn | guard.Plotting))
        self.channel.send({"event": "loaded", "functions": functions, "stand_ins": self.stand_ins.names})

    def survey(self):
        """``survey`` of the cells, made when first needed (in a cell's or a case's time, not before any runs)."""
        if self.surveyed is None:
            self.surveyed = survey(self.cells)
        return self.surveyed

    def _on_alarm(self, signum, frame):
        raise CellTimeout(f"the cell ran longer than {self.limits['cell_timeout']} s")

    def _run_cell(self, cell):
        """(error or None, the statements skipped because they needed a module the grader does not have)."""
        label, skipped = cell["label"], []
        like_numpy_2_4()
        signal.setitimer(signal.ITIMER_REAL, self.limits["cell_timeout"])
        try:
            code = compile(cell["source"], label, "exec")
            while code is not None:
                try:
                    exec(code, self.namespace)
                    code = None
                except Exception as error:
                    line, plotting = self._needed_a_stand_in(error, label)
                    if line is None:
                        raise
                    unset, code = _skip(cell, line)
                    if plotting:
                        self.unset_by_plots |= unset
                    else:
                        skipped.append({"label": label, "line": line,
                                        "text": linecache.getline(label, line).strip()[:200]})
                        self.unset |= unset
        except BaseException as error:
            return describe(error, self.labels), skipped
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            sys.stdout.flush()
        return None, skipped

    def _needed_a_stand_in(self, error, label):
        """(line, plotting): the line of the cell's top-level statement that failed only for want of a module the
        grader does not have (it used a stand-in, or a name that only a statement skipped for that reason sets,
        or, after `from <stand-in> import *`, one that no cell sets), or only because it computed with a
        plotting stand-in or a name only such a skipped statement sets (then ``plotting``). Else (None, False)."""
        tb = error.__traceback__
        while tb is not None and tb.tb_frame.f_code.co_filename != label:
            tb = tb.tb_next
        if tb is None:
            return None, False
        if isinstance(error, guard.StandInUsed | guard.PlotOnly):
            return tb.tb_lineno, isinstance(error, guard.PlotOnly)
        if type(error) is NameError and tb.tb_next is None:
            if error.name in self.unset or (self.stand_ins.names and error.name not in self.survey()[0]
                                            and not self.survey()[1].isdisjoint(self.stand_ins.names)):
                return tb.tb_lineno, False
            if error.name in self.unset_by_plots:
                return tb.tb_lineno, True
        return None, False

    def kill_strays(self):
        """In the sandbox's own PID namespace: end every process but this one (and the namespace's init)."""
        if self.settings["own_pid_namespace"]:
            try:
                os.kill(-1, signal.SIGKILL)
            except OSError:
                pass

    def run(self, request):
        """Fork a grandchild for one exercise, send the parent the other end of the grandchild's own channel
        (the frames of the exercise go straight between the two), wait for it to end; report how it ended."""
        sys.stdout.flush()
        sys.stderr.flush()
        self.kill_strays()
        ours, theirs = _socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        output_path = request["function"] + ".out"
        try:
            pid = os.fork()
        except OSError as error:
            ours.close()
            theirs.close()
            self.channel.send({"event": "done", "status": "exited", "code": 1,
                               "detail": f"could not start ({error.strerror})", "output": ""})
            return
        if pid == 0:
            ours.close()
            try:
                self._grandchild(request, Channel(theirs.fileno(), theirs.fileno()), output_path)
            finally:
                os._exit(0)
        theirs.close()
        try:
            self.channel.send_with_fd({"event": "started"}, ours.fileno())
        finally:
            ours.close()
        status = self._wait(pid, time.monotonic() + request["timeout"])
        kill_group(pid)  # whatever the exercise started
        self.kill_strays()
        status["output"] = read_start(output_path, 2000)
        self.channel.send({"event": "done", **status})

    def _wait(self, pid, deadline):
        """How the grandchild ended, killed at ``deadline``; this process ends if the parent is gone."""
        pidfd = os.pidfd_open(pid)
        try:
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return self._kill(pid, "timeout")
                ready, _, _ = select.select([pidfd, self.channel.read_fd], [], [], remaining)
                if self.channel.read_fd in ready:
                    chunk = os.read(self.channel.read_fd, 1 << 16)
                    if not chunk:
                        os._exit(0)  # the parent is gone
                    self.channel.pending.extend(self.channel.reader.feed(chunk))
                if pidfd in ready:
                    break
        finally:
            os.close(pidfd)
        _, code = os.waitpid(pid, 0)
        if os.WIFSIGNALED(code):
            return {"status": "signal", "signal": os.WTERMSIG(code)}
        return {"status": "exited", "code": os.WEXITSTATUS(code)}

    @staticmethod
    def _kill(pid, status, detail=""):
        kill_group(pid)
        os.waitpid(pid, 0)
        return {"status": status, "detail": detail}

    def _grandchild(self, request, channel, output_path):
        os.setpgid(0, 0)
        self.channel.close()
        redirect_output(output_path)
        set_hard_limit(resource.RLIMIT_CPU, math.ceil(request["timeout"]) + 1)
        set_hard_limit(resource.RLIMIT_AS, min(self.memory_cap, vm_size() + self.limits["memory"]))
        namespace = self.namespace
        answers = request.get("answers")  # None: not speculating
        calls = Speculated() if answers is not None else None
        ask = set(request.get("ask") or ())
        for name in request["helpers"]:
            namespace[name] = Helper(name, channel, namespace.get(name), calls, answers, name in ask)
        function = namespace.get(request["function"])
        if not callable(function):
            channel.send({"event": "missing"})
            return
        for case in request["cases"]:
            args = codec.decode(case["args"])
            like_numpy_2_4()
            try:
                value = function(*args)
                message = {"event": "case", "id": case["id"], "value": codec.encode(value, raw=True)}
            except BaseException as error:
                message = {"event": "case", "id": case["id"], "error": describe(error, self.labels)}
            if calls is not None:
                message["speculated"] = calls.to_message()
                calls.clear()
            try:
                after = codec.encode(args, raw=True)
                if codec.same_data(after, case["args"]):
                    message["args_unchanged"] = True
                else:
                    message["args_after"] = after
                channel.send(message)
            except BaseException as error:
                channel.send({"event": "case", "id": case["id"], "error": describe(error, self.labels)})
            sys.stdout.flush()


def _skip(cell, line):
    """Skip the cell's top-level statement at ``line``: (the names it would have set, the code of the statements
    after it, or None when there are none)."""
    body = ast.parse(cell["source"], cell["label"]).body
    skipped = [statement for statement in body if statement.lineno <= line][-1:]
    rest = [statement for statement in body if statement.lineno > line]
    return (guard.binds(ast.Module(skipped, [])), compile(ast.Module(rest, []), cell["label"], "exec") if rest else None)


def main():
    """Serve the parent on fds 0 and 1 (both may be one socket) until it closes them or says stop."""
    global QUIET
    QUIET = open(os.devnull, "w")
    channel = Channel(os.dup(0), os.dup(1))
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(devnull, 1)
    zygote = Zygote(channel, channel.receive())
    zygote.start()
    channel.send({"event": "ready"})
    while True:
        request = channel.receive()
        if request["op"] == "load":
            zygote.load(request)
        elif request["op"] == "run":
            zygote.run(request)
        else:
            return


if __name__ == "__main__":
    main()
