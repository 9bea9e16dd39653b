"""Warm start (root level): sandboxes forked from one fork server per grading process hold what a cold
sandbox holds, each its own: namespaces, user, /tmp, random state, no capabilities. Attacks earn the same
started warm or cold, and the server comes back after it dies and is never shared with a forked process.
"""
from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.sandbox import Cell, Limits, Sandbox, detect, warm
from conftest import PATIENT, SUBMISSIONS

pytestmark = pytest.mark.skipif(not warm.wanted(detect()), reason="warm start needs the root level")
REPO = Path(__file__).resolve().parents[1]
NAMESPACES = ("pid", "mnt", "net", "ipc", "uts")

PROBE = """
import os, random, numpy as np
TOKEN = os.urandom(8).hex()
with open('/tmp/mine', 'w') as handle:
    handle.write(TOKEN)
def probe(x):
    status = dict(line.split(':', 1) for line in open('/proc/self/status').read().splitlines() if ':' in line)
    return {"namespaces": [os.readlink(f'/proc/self/ns/{kind}') for kind in %r],
            "uid": os.getuid(), "gid": os.getgid(), "groups": os.getgroups(), "pids": sorted(int(p) for p in os.listdir('/proc') if p.isdigit()),
            "capabilities": [status[k].strip() for k in ('CapInh', 'CapPrm', 'CapEff', 'CapBnd', 'CapAmb')],
            "no_new_privs": status['NoNewPrivs'].strip(), "tmp": sorted(os.listdir('/tmp')),
            "mine": [TOKEN, open('/tmp/mine').read()], "numpy_testing": __import__('numpy.testing').__name__,
            "random": [float(np.random.rand()), random.random()], "fds": sorted(os.listdir('/proc/self/fd')),
            "mounts": sorted(line.split()[1] for line in open('/proc/self/mounts'))}
""" % (NAMESPACES,)


def probe(limits: Limits = PATIENT) -> tuple[str, dict]:
    with Sandbox([Cell("probe.py", PROBE)], limits) as sandbox:
        return probed(sandbox)


def probed(sandbox: Sandbox) -> tuple[str, dict]:
    sandbox.load()
    kind = type(sandbox._child).__name__
    outcome = sandbox.run("probe", [("c", (0,))]).cases["c"]
    assert outcome.error is None, outcome.error
    return kind, outcome.value


def test_each_warm_sandbox_has_namespaces_a_user_and_a_tmp_of_its_own():
    """Two at once (a namespace's number is reused once it is gone)."""
    with Sandbox([Cell("probe.py", PROBE)], PATIENT) as one, Sandbox([Cell("probe.py", PROBE)], PATIENT) as other:
        (kind, first), (_, second) = probed(one), probed(other)
    assert kind == "WarmChild"
    grader = [os.readlink(f"/proc/self/ns/{kind}") for kind in NAMESPACES]
    for mine, theirs, ours in zip(first["namespaces"], second["namespaces"], grader):
        assert mine != theirs and mine != ours and theirs != ours
    assert first["uid"] != second["uid"] and first["uid"] >= 65536 and first["gid"] == first["uid"]
    assert first["groups"] == [] and second["groups"] == []
    assert first["pids"] == second["pids"] == [1, 2, 3]  # its reaper, the child, the exercise: no fork server
    assert {"load.out", "mine", "probe.out"} <= set(first["tmp"]) and first["tmp"] == second["tmp"]
    assert first["mine"][0] == first["mine"][1] != second["mine"][0] == second["mine"][1]  # /tmp: not shared
    assert first["numpy_testing"] == "numpy"  # numpy's own files still there (Python may live in /tmp)
    assert first["random"] != second["random"]  # seeded afresh, as a new process would be


def test_a_warm_child_has_no_capability_and_no_way_to_gain_one():
    kind, found = probe()
    assert kind == "WarmChild"
    assert found["capabilities"] == ["0000000000000000"] * 5 and found["no_new_privs"] == "1"


def test_a_warm_child_holds_the_same_descriptors_as_a_cold_one(monkeypatch):
    _, warm_found = probe()
    monkeypatch.setenv(warm.COLD_START_VARIABLE, "1")
    kind, cold_found = probe()
    assert kind == "ColdChild"
    assert warm_found["fds"] == cold_found["fds"]
    assert warm_found["capabilities"] == cold_found["capabilities"]
    assert [len(warm_found["pids"]), warm_found["tmp"]] == [len(cold_found["pids"]), cold_found["tmp"]]
    assert set(warm_found["mounts"]) == set(cold_found["mounts"])  # a warm one's covered /tmp is listed twice


EARLY_START = """
import json, subprocess
from autograder.sandbox import early, isolation, warm
probes = []
run = subprocess.run
subprocess.run = lambda *args, **kwargs: probes.append(args[0][-1]) or run(*args, **kwargs)
early.start_sandbox()
print(json.dumps({"level": isolation.detect().level, "probes": probes, "server": warm._server is not None}))
"""


@pytest.mark.parametrize("cold", ["0", "1"])
def test_a_command_probes_the_isolation_once_and_starts_the_server_early_only_where_it_may_start_warm(cold):
    """``early.start_sandbox`` probes in a thread while the grader's modules load: a sandbox made meanwhile waits
    for that one probe rather than making its own."""
    result = subprocess.run([sys.executable, "-c", EARLY_START], capture_output=True, text=True, cwd=REPO,
                            env={**os.environ, warm.COLD_START_VARIABLE: cold}, timeout=60)
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert found == {"level": detect().level, "probes": ["/bin/true"] if shutil.which("bwrap") else [],
                     "server": detect().level == "root" and cold == "0"}


def test_a_process_forked_while_a_probe_runs_does_not_wait_for_it():
    """The probe's lock is held in the parent (as by ``early.start_sandbox``'s thread) when a pool forks: the
    child probes for itself instead of waiting for a thread it does not have."""
    from autograder.sandbox import isolation

    with isolation._detecting:
        pid = os.fork()
        if pid == 0:
            signal.alarm(10)
            os._exit(0 if isolation.detect().level == detect().level else 1)
        _, status = os.waitpid(pid, 0)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, status


def test_the_fork_server_comes_back_after_it_dies():
    probe()
    warm._server.process.kill()
    warm._server.process.wait()
    kind, _ = probe()
    assert kind == "WarmChild" and warm._server.alive()


def _server_pid(_) -> int:
    probe()
    return warm._server.process.pid


def test_a_forked_process_starts_a_fork_server_of_its_own():
    probe()
    ours = warm._server.process.pid
    with multiprocessing.get_context("fork").Pool(1) as pool:
        theirs = pool.map(_server_pid, [0])[0]
    assert theirs != ours and warm._server.process.pid == ours and warm._server.alive()
    probe()


def test_the_fork_server_refuses_to_start_a_child_as_a_system_user():
    probe()
    with open(os.devnull, "wb") as errors:
        with pytest.raises(warm.WarmStartError, match="not a sandbox's"):
            warm._server.spawn(0, errors.fileno())


ATTACKS = ["kills_everyone.py", "steals_seed.py", "reads_reference_from_disk.py", "fork_bomb.py", "lifts_limits.py",
           "escapes_and_rewrites.py"]


@pytest.mark.slow
@pytest.mark.parametrize("attack", ATTACKS)
def test_an_attack_earns_the_same_started_warm_or_cold(attack, tmp_path):
    source = (SUBMISSIONS / "hostile" / attack).read_text()
    submission = tmp_path / attack
    submission.write_text(source.replace("@TARGET@", str(tmp_path / "report.json"))
                          .replace("@MARKER@", str(tmp_path / "marker")).replace("@NAME@", "cg-warm-cold"))
    scores = {}
    for start, cold in (("warm", "0"), ("cold", "1")):
        result = subprocess.run([sys.executable, "-m", "autograder.cli", "grade", str(submission), "--format", "json",
                                 "--timeout", "3"], capture_output=True, text=True, timeout=300, cwd=REPO,
                                env={**os.environ, warm.COLD_START_VARIABLE: cold, "CONVGRADE_HIDDEN_SEED": "8675309"})
        assert result.returncode == 0, result.stderr
        report = json.loads(result.stdout)
        scores[start] = {exercise["name"]: exercise["score"] for exercise in report["exercises"]}
        assert report["score"] == 5, (start, scores[start])
        assert "8675309" not in result.stdout
    assert scores["warm"] == scores["cold"]
    assert not (tmp_path / "marker").exists()


REAPER_ATTACK = """
import os, signal
def attack(x):
    found = {}
    try:
        found["fds"] = os.listdir("/proc/1/fd")
    except OSError as error:
        found["fds"] = type(error).__name__
    os.kill(1, signal.SIGKILL)
    found["alive"] = os.path.exists("/proc/1")
    found["status"] = [line for line in open("/proc/1/status").read().splitlines() if line.startswith(("CapEff", "CapBnd"))]
    return found
"""


def test_student_code_can_neither_kill_nor_look_into_its_sandboxs_pid_1():
    """pid 1 (the reaper) has the sandbox's user, but changed to it without exec: not dumpable, so its open
    files are closed to the student, and as a namespace's init it ignores a SIGKILL sent from inside."""
    with Sandbox([Cell("attack.py", REAPER_ATTACK)], PATIENT) as sandbox:
        sandbox.load()
        assert type(sandbox._child).__name__ == "WarmChild"
        outcome = sandbox.run("attack", [("c", (0,))]).cases["c"]
        again = sandbox.run("attack", [("c", (0,))]).cases["c"]  # the sandbox still serves
    assert outcome.error is None and again.error is None, outcome.error
    assert outcome.value == {"fds": "PermissionError", "alive": True,
                             "status": ["CapEff:\t0000000000000000", "CapBnd:\t0000000000000000"]}
