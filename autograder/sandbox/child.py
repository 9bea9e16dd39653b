"""Sandbox child, run as ``python -I child.py``: frames in on stdin, frames out on stdout.

It executes a submission's cells once (the "zygote"), then runs each exercise in a forked grandchild with
its own process group, memory, CPU and file-size limits, so that a crash, exit, hang or monkeypatch costs
only that exercise. Before any student code runs, it imports the reference helpers the grader injects
(a mistake costs points once) and then blocks imports of the reference and the grader.
Imports only the standard library, numpy, and codec.py and guard.py by path: never the autograder package.
"""
import builtins
import importlib
import importlib.util
import linecache
import math
import os
import resource
import select
import signal
import sys
import time


def _load(name):
    """A sibling module of this file, loaded by path (the autograder package must stay unimported)."""
    spec = importlib.util.spec_from_file_location(f"_convgrade_{name}", os.path.join(os.path.dirname(__file__), f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


codec = _load("codec")
guard = _load("guard")


class CellTimeout(BaseException):
    """Raised in the main thread when a cell runs past its time limit."""


class Channel:
    """Frames over a pair of file descriptors."""

    def __init__(self, read_fd, write_fd):
        self.read_fd, self.write_fd = read_fd, write_fd
        self.reader = codec.FrameReader()
        self.pending = []

    def send(self, message):
        data = codec.frame(message)
        while data:
            data = data[os.write(self.write_fd, data) :]

    def receive(self):
        while not self.pending:
            chunk = os.read(self.read_fd, 1 << 16)
            if not chunk:
                sys.exit(0)  # the parent is gone
            self.pending.extend(self.reader.feed(chunk))
        return self.pending.pop(0)


def describe(error, labels):
    return guard.describe_error(error, labels.__contains__)


def vm_size():
    """Current virtual memory size in bytes, from /proc."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def set_soft_limit(kind, value):
    _, hard = resource.getrlimit(kind)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    resource.setrlimit(kind, (value, hard))


def redirect_output(path):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)


class Zygote:
    def __init__(self, channel):
        self.channel = channel
        self.namespace = {"__name__": "__main__", "__builtins__": builtins}
        self.helpers = {}
        self.labels = set()
        self.limits = {}

    def load(self, request):
        """Import the helpers, block the reference, then run every cell not in ``skip``."""
        self.limits = request["limits"]
        module = importlib.import_module(request["helpers_module"])
        self.helpers = {name: getattr(module, name) for name in request["helpers"]}
        blocked = request["blocked"]
        for name in list(sys.modules):
            if name.split(".")[0] in blocked:
                del sys.modules[name]
        sys.meta_path.insert(0, guard.ImportBlocker(blocked))
        os.chdir(request["workdir"])
        redirect_output(os.path.join(request["workdir"], "load.out"))
        set_soft_limit(resource.RLIMIT_AS, vm_size() + self.limits["memory"])
        signal.signal(signal.SIGALRM, self._on_alarm)
        cells = request["cells"]
        self.labels = {cell["label"] for cell in cells}
        for cell in cells:
            linecache.cache[cell["label"]] = (len(cell["source"]), None, cell["source"].splitlines(True), cell["label"])
        for index, cell in enumerate(cells):
            if index in request["skip"]:
                continue
            self.channel.send({"event": "cell", "index": index})
            self.channel.send({"event": "cell_done", "index": index, "error": self._run_cell(cell)})
        functions = sorted(name for name, value in self.namespace.items() if callable(value))
        self.channel.send({"event": "loaded", "functions": functions})

    def _on_alarm(self, signum, frame):
        raise CellTimeout(f"the cell ran longer than {self.limits['cell_timeout']} s")

    def _run_cell(self, cell):
        signal.setitimer(signal.ITIMER_REAL, self.limits["cell_timeout"])
        try:
            exec(compile(cell["source"], cell["label"], "exec"), self.namespace)
        except BaseException as error:
            return describe(error, self.labels)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            sys.stdout.flush()
        return None

    def run(self, request):
        """Fork a grandchild for one exercise; relay its case frames; report how it ended."""
        sys.stdout.flush()
        sys.stderr.flush()
        read_fd, write_fd = os.pipe()
        memory_limit = vm_size() + self.limits["memory"]
        pid = os.fork()
        if pid == 0:
            os.close(read_fd)
            try:
                self._grandchild(request, write_fd, memory_limit)
            finally:
                os._exit(0)
        os.close(write_fd)
        status = self._relay(read_fd, pid, time.monotonic() + request["timeout"])
        os.close(read_fd)
        try:
            os.killpg(pid, signal.SIGKILL)  # whatever the submission started
        except OSError:
            pass
        self.channel.send({"event": "done", **status})

    def _relay(self, read_fd, pid, deadline):
        reader = codec.FrameReader(limit=self.limits["result_bytes"])
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return self._kill(pid, "timeout")
            ready, _, _ = select.select([read_fd], [], [], remaining)
            if not ready:
                continue
            chunk = os.read(read_fd, 1 << 16)
            if not chunk:
                break
            try:
                for message in reader.feed(chunk):
                    self.channel.send(message)
            except codec.CodecError as error:
                return self._kill(pid, "protocol", str(error))
        while time.monotonic() < deadline:
            waited, code = os.waitpid(pid, os.WNOHANG)
            if waited:
                if os.WIFSIGNALED(code):
                    return {"status": "signal", "signal": os.WTERMSIG(code)}
                return {"status": "exited", "code": os.WEXITSTATUS(code)}
            time.sleep(0.002)
        return self._kill(pid, "timeout")

    @staticmethod
    def _kill(pid, status, detail=""):
        for kill in (os.kill, os.killpg):  # the process itself, in case it has not made its group yet
            try:
                kill(pid, signal.SIGKILL)
            except OSError:
                pass
        os.waitpid(pid, 0)
        return {"status": status, "detail": detail}

    def _grandchild(self, request, write_fd, memory_limit):
        os.setpgid(0, 0)
        os.close(self.channel.read_fd)
        os.close(self.channel.write_fd)
        out = Channel(-1, write_fd)
        redirect_output(os.path.join(os.getcwd(), request["function"] + ".out"))
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # over the output limit: writes fail, no kill
        set_soft_limit(resource.RLIMIT_FSIZE, self.limits["output_bytes"])
        set_soft_limit(resource.RLIMIT_CPU, math.ceil(request["timeout"]) + 1)
        set_soft_limit(resource.RLIMIT_AS, memory_limit)
        namespace = self.namespace
        for name in request["helpers"]:
            namespace[name] = self.helpers[name]
        function = namespace.get(request["function"])
        if not callable(function):
            out.send({"event": "missing"})
            return
        for case in request["cases"]:
            args = codec.decode(case["args"])
            try:
                value = function(*args)
                message = {"event": "case", "id": case["id"], "value": codec.encode(value)}
            except BaseException as error:
                message = {"event": "case", "id": case["id"], "error": describe(error, self.labels)}
            try:
                message["args_after"] = codec.encode(args)
                out.send(message)
            except BaseException as error:
                out.send({"event": "case", "id": case["id"], "error": describe(error, self.labels)})
            sys.stdout.flush()


def main():
    channel = Channel(os.dup(0), os.dup(1))
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(devnull, 1)
    zygote = Zygote(channel)
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
