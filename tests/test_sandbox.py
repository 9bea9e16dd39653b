"""The sandbox itself: loading cells, isolation between exercises, limits, blocked imports."""
import numpy as np
import pytest

from autograder.checks import AnswerWithOwn
from autograder.sandbox import Cell, Limits, Sandbox

LIMITS = Limits(timeout=1.0, cell_timeout=1.0)


def test_a_cell_that_kills_the_process_is_skipped_and_later_cells_still_load():
    cells = [Cell("cell 1", "def before(x): return x"), Cell("cell 2", "import os; os._exit(4)"),
             Cell("cell 3", "while True:\n    try:\n        pass\n    except BaseException:\n        pass"),
             Cell("cell 4", "def after(x): return x + 1")]
    with Sandbox(cells, LIMITS) as sandbox:
        load = sandbox.load()
        assert {"before", "after"} <= load.functions
        assert [e.where.label for e in load.errors] == ["cell 2", "cell 3"]
        assert "exit code 4" in load.errors[0].message
        run = sandbox.run("after", [("c", (np.float64(1.0),))])
        assert run.cases["c"].value == 2.0


def test_each_exercise_runs_in_a_fresh_fork_so_state_does_not_leak():
    source = "import numpy as np\nstate = []\ndef poison(x):\n    np.sum = None\n    state.append(1)\n    return len(state)\n" \
             "def check(x):\n    return (np.sum(x), len(state))\n"
    with Sandbox([Cell("s.py", source)], LIMITS) as sandbox:
        assert sandbox.run("poison", [("c", (1,))]).cases["c"].value == 1
        assert sandbox.run("check", [("c", (np.ones(3),))]).cases["c"].value == (3.0, 0)


def test_student_output_is_captured_not_mixed_into_the_protocol():
    source = "import os\ndef noisy(x):\n    print('fake result' * 10)\n    os.write(1, b'raw bytes on fd 1')\n    return x\n"
    with Sandbox([Cell("s.py", source)], LIMITS) as sandbox:
        run = sandbox.run("noisy", [("c", (5,))])
        assert run.cases["c"].value == 5
        assert "fake result" in run.output and "raw bytes" in run.output


def test_output_beyond_the_limit_fails_the_call_without_flooding_the_disk():
    source = "def flood(x):\n    while True:\n        print('x' * 10000)\n"
    with Sandbox([Cell("s.py", source)], Limits(timeout=5.0, output_bytes=100_000)) as sandbox:
        run = sandbox.run("flood", [("c", (1,))])
        assert run.cases["c"].error.type == "OSError"
        assert len(run.output) <= 2000


def test_helpers_are_answered_by_the_parent_and_the_reference_is_not_there_to_import():
    source = "def uses_helper(X):\n    return zero_pad(X, 1)\ndef cheats(X):\n    import cnn_reference\n"
    calls = []

    def zero_pad(X, pad):
        calls.append(X.shape)
        return np.pad(X, ((0, 0), (pad, pad), (pad, pad), (0, 0)))

    with Sandbox([Cell("s.py", source)], LIMITS) as sandbox:
        run = sandbox.run("uses_helper", [("c", (np.ones((1, 1, 1, 1)),))], {"zero_pad": zero_pad})
        assert run.cases["c"].value.shape == (1, 3, 3, 1) and calls == [(1, 1, 1, 1)]
        assert "NameError" == sandbox.run("uses_helper", [("c", (np.ones((1, 1, 1, 1)),))]).cases["c"].error.type
        error = sandbox.run("cheats", [("c", (1,))]).cases["c"].error
        assert error.type == "ModuleNotFoundError" and "cnn_reference" in error.message


def test_a_helper_call_without_an_answer_runs_the_students_own_helper():
    """The student kit answers only the calls its public checks recorded; others go to the student's helper."""
    source = ("def zero_pad(X, pad):\n    return X + pad\n"
              "def uses_helper(X):\n    return zero_pad(X, 1), zero_pad(X, 2)\n")

    def recorded(X, pad):
        if pad != 1:
            raise AnswerWithOwn("zero_pad")
        return X * 0

    with Sandbox([Cell("s.py", source)], LIMITS) as sandbox:
        run = sandbox.run("uses_helper", [("c", (np.ones(2),))], {"zero_pad": recorded})
        first, second = run.cases["c"].value
        assert first.tolist() == [0, 0] and second.tolist() == [3, 3]


def test_a_hang_is_stopped_at_the_timeout_and_the_sandbox_keeps_serving():
    source = "def hang(x):\n    while True:\n        pass\ndef fine(x):\n    return x\n"
    with Sandbox([Cell("s.py", source)], Limits(timeout=0.5)) as sandbox:
        assert sandbox.run("hang", [("c", (1,))]).status == "timeout"
        assert sandbox.run("fine", [("c", (1,))]).cases["c"].value == 1


def test_a_missing_function_is_reported_as_missing():
    with Sandbox([Cell("s.py", "x = 1")], LIMITS) as sandbox:
        assert sandbox.run("nothing", [("c", (1,))]).status == "missing"


def test_an_assignment_registered_by_another_package_is_hidden_from_student_code(monkeypatch):
    """Its reference and mutants are answers: its package is covered like the grader's own."""
    from types import SimpleNamespace

    from autograder.sandbox import isolation

    registered = [SimpleNamespace(module="othercourse.assignment")]
    monkeypatch.setattr(isolation, "entry_points", lambda group: registered if group == "convgrade.assignments" else [])
    caches = (isolation._grader_packages, isolation.assignment_entry_points)
    for cache in caches:  # read once per process: read again with the package registered
        cache.cache_clear()
    try:
        assert isolation.grader_packages() == ["autograder", "cnn_reference", "othercourse"]
    finally:
        for cache in caches:
            cache.cache_clear()


def test_a_result_over_the_size_limit_costs_its_run_only():
    """Frames go straight between an exercise's fork and the grader, each checked against the result limit:
    one too large ends that run as a protocol error; the next exercise runs as usual."""
    source = "import numpy as np\ndef huge(x):\n    return np.ones(400_000)\ndef small(x):\n    return x + 1\n"
    with Sandbox([Cell("s.py", source)], Limits(timeout=5.0, result_bytes=1 << 20)) as sandbox:
        run = sandbox.run("huge", [("c", (1,))])
        assert run.status == "protocol" and "limit" in run.detail and "c" not in run.cases
        assert sandbox.run("small", [("c", (1,))]).cases["c"].value == 2


FORGED_BYTES = """
import json, os, struct
def frame(body, json_size=None, tail=b""):
    return struct.pack('>QI', 4 + len(body) + len(tail), len(body) if json_size is None else json_size) + body + tail
def forge(x):
    value = {"__ndarray__": "<f8", "shape": [1024], "data": {"__bytes__": [0, 8192]}}
    frames = {"outside": frame(json.dumps({"event": "case", "id": "c", "value": value}).encode(), tail=b"12345678"),
              "overrun": frame(b'{"event": "case", "id": "c", "value": 1}', json_size=1 << 20)}
    for fd in range(3, 64):
        try:
            os.write(fd, frames[x])
        except OSError:
            pass
    return 1
def after(x):
    return x + 1
"""


@pytest.mark.parametrize("forgery", ["outside", "overrun"])
def test_a_frame_that_places_bytes_outside_itself_costs_its_run_only(forgery):
    """The code writes a case whose array's bytes lie beyond the frame's end (or whose JSON runs past it) to
    every descriptor it has: that run fails as a protocol error, nothing else is read from the grader's
    memory, and the next exercise gets only its own results."""
    with Sandbox([Cell("s.py", FORGED_BYTES)], LIMITS) as sandbox:
        run = sandbox.run("forge", [("c", (forgery,))])
        assert run.status == "protocol" and "corrupt frame" in run.detail and "c" not in run.cases
        assert sandbox.run("after", [("c", (1,))]).cases["c"].value == 2


def test_a_frame_cut_short_is_dropped_and_frames_written_later_reach_no_other_exercise():
    """The code writes half a frame to every descriptor it has and is killed; a process it leaves behind
    would write a whole forged case for the next exercise: the half frame is dropped, the run ends as the
    kill says, and the next exercise gets only its own results."""
    source = ("import json, os, signal, struct, time\n"
              "def frame(message):\n    body = json.dumps(message).encode()\n"
              "    return struct.pack('>QI', 4 + len(body), len(body)) + body\n"
              "def cut(x):\n"
              "    if os.fork() == 0:\n"
              "        time.sleep(0.5)\n"
              "        for fd in range(3, 64):\n"
              "            try:\n                os.write(fd, frame({'event': 'case', 'id': 'c', 'value': 666}))\n"
              "            except OSError:\n                pass\n"
              "        os._exit(0)\n"
              "    for fd in range(3, 64):\n"
              "        try:\n                os.write(fd, frame({'event': 'case', 'id': 'c', 'value': 1})[:12])\n"
              "        except OSError:\n            pass\n"
              "    os.kill(os.getpid(), signal.SIGKILL)\n"
              "def slow(x):\n    time.sleep(1.0)\n    return x + 1\n")
    with Sandbox([Cell("s.py", source)], Limits(timeout=5.0)) as sandbox:
        run = sandbox.run("cut", [("c", (1,))])
        assert run.status == "signal" and "c" not in run.cases
        assert sandbox.run("slow", [("c", (1,))]).cases["c"].value == 2


def test_a_frame_with_forged_descriptors_costs_only_its_cell():
    """A cell sends the grader a "started" frame (out of turn) with three descriptors attached: a file of its
    own and both ends of a socket pair. The frame costs that cell, which is skipped in a fresh child; the next
    cell loads and runs."""
    forge = ("import json, os, socket, stat, struct\n"
             "body = json.dumps({'event': 'started'}).encode()\n"
             "marker = os.open('/tmp/forged-fd-marker', os.O_CREAT | os.O_RDWR)\n"
             "a, b = socket.socketpair()\n"
             "for fd in range(3, 64):\n"
             "    try:\n"
             "        if stat.S_ISSOCK(os.fstat(fd).st_mode) and fd not in (a.fileno(), b.fileno()):\n"
             "            socket.send_fds(socket.socket(fileno=os.dup(fd)), [struct.pack('>QI', 4 + len(body), len(body)) + body],\n"
             "                            [marker, a.fileno(), b.fileno()])\n"
             "    except OSError:\n"
             "        pass\n")
    with Sandbox([Cell("forge", forge), Cell("after", "def after(x):\n    return x + 1\n")], LIMITS) as sandbox:
        load = sandbox.load()
        assert [e.where.label for e in load.errors] == ["forge"] and "after" in load.functions
        assert "did not expect" in load.errors[0].message
        assert sandbox.run("after", [("c", (1,))]).cases["c"].value == 2
