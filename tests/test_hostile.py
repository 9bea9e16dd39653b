"""A student who has read every line of the grader attacks it. Each attack earns exactly what its code
really implements, classmates keep their scores, a report is always made, no secret reaches any report,
and nothing the attack started is alive once grading returns.

The corpus is tests/submissions/hostile/; each attack file also defines a right ``zero_pad`` (5 points),
so the honest score of every attack is 5.
"""
from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from autograder.registry import by_name
from autograder.config import find_hidden_seed
from autograder.course_grading import grade_course_cells as grade_cells, grade_path
from autograder.reports import render
from autograder.sandbox import Cell, Isolation, Limits, Sandbox, detect
from autograder.sandbox.isolation import UID_BASE
from conftest import EXAMPLES, SUBMISSIONS

pytestmark = pytest.mark.slow

HOSTILE = SUBMISSIONS / "hostile"
REPO = Path(__file__).resolve().parents[1]
LIMITS = Limits(timeout=3.0, cell_timeout=3.0)
LEVEL = detect().level
needs_namespaces = pytest.mark.skipif(LEVEL == "none", reason=f"no namespaces here: {detect().reason}")
SEED = 20261125

# attack file -> {exercise: statuses it may end with}; every exercise not named scores 0 except zero_pad (5).
ATTACKS = {
    "removes_import_blocker.py": {"conv_forward": {"error"}, "pool_forward": {"error"}},
    "walks_frames.py": {"conv_forward": {"error"}, "pool_backward": {"error"}},
    "reads_reference_from_disk.py": {"pool_forward": {"error"}, "create_mask_from_window": {"error"}},
    "steals_seed.py": {"conv_single_step": {"error"}},
    "kills_everyone.py": {"conv_single_step": {"error", "failed"}, "pool_forward": {"error", "failed"}},
    "lifts_limits.py": {"conv_single_step": {"error"}, "create_mask_from_window": {"error"},
                        "distribute_value": {"timeout"}},
    "fork_bomb.py": {"create_mask_from_window": {"timeout", "error"}},
    "huge_values.py": {"conv_single_step": {"error", "failed"}, "distribute_value": {"error", "failed"}},
    "forges_frames.py": {"conv_single_step": {"error"}, "create_mask_from_window": {"error"},
                         "distribute_value": {"error"}},
}


def leftovers(grader_pid: int, name: str = "") -> list[int]:
    """Processes still running as one of the sandbox users of the grader ``grader_pid`` (root level: each
    grading process has its own range of user ids), or named ``name``."""
    first = UID_BASE + (grader_pid << 4)
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                owner = os.stat(f"/proc/{entry}").st_uid
                comm = Path(f"/proc/{entry}/comm").read_text().strip()
            except OSError:
                continue
            if first <= owner < first + 16 or (name and comm == name):
                found.append(int(entry))
    return found


def escape_attack(folder: Path) -> tuple[Path, Path, Path, str]:
    """The escape attack aimed at files in ``folder``: (attack, target, marker, process name)."""
    target, marker, name = folder / "report.json", folder / "marker", f"cg-{os.getpid() % 10**6}-{len(str(folder)) % 100}"
    attack = folder / "escapes_and_rewrites.py"
    attack.write_text((HOSTILE / "escapes_and_rewrites.py").read_text().replace("@TARGET@", str(target))
                      .replace("@MARKER@", str(marker)).replace("@NAME@", name))
    return attack, target, marker, name


@needs_namespaces
@pytest.mark.parametrize("name, broken", ATTACKS.items(), ids=list(ATTACKS))
def test_an_attack_earns_only_what_its_code_implements(name, broken):
    report = grade_path(HOSTILE / name, SEED, LIMITS)
    scores = {e.name: e.score for e in report.exercises}
    assert scores["zero_pad"] == 5, report.exercises[0].feedback
    assert report.score == 5, {e.name: (e.status, e.feedback) for e in report.exercises if e.score}
    for exercise in report.exercises:
        if exercise.name in broken:
            assert exercise.status in broken[exercise.name], (exercise.name, exercise.status, exercise.feedback)
    text = json.dumps({**report.to_dict(), "submission": ""})
    for secret in (*(str(REPO / folder) for folder in ("autograder", "cnn_reference", "solutions")), "hidden_seed ="):
        assert secret not in text
    assert leftovers(os.getpid()) == []


@needs_namespaces
def test_limits_are_hard_so_lifting_them_changes_nothing():
    report = grade_path(HOSTILE / "lifts_limits.py", None, LIMITS)
    feedback = {e.name: " ".join(e.feedback) for e in report.exercises}
    assert "ran out of memory" in feedback["conv_single_step"]
    assert "File too large" in feedback["create_mask_from_window"]
    assert "did not finish within 3 s" in feedback["distribute_value"]


def test_the_hidden_seed_reaches_no_report(monkeypatch):
    """The seed sits in the grader's environment and in solutions/grader.toml under its working folder."""
    monkeypatch.chdir(REPO)
    on_disk = find_hidden_seed(REPO / "solutions")
    monkeypatch.setenv("CONVGRADE_HIDDEN_SEED", "8675309123")
    report = grade_path(HOSTILE / "steals_seed.py", on_disk, LIMITS)
    everything = json.dumps(report.to_dict()) + render(report, "text") + render(report, "gradescope")
    assert "8675309123" not in everything and str(on_disk) not in everything
    assert "nothing found" in everything and report.score == 5


def test_without_namespaces_the_same_attack_finds_the_seed_and_the_report_says_so(monkeypatch):
    """The weakest level is never silent: the attack above works there, and the report tells."""
    monkeypatch.chdir(REPO)
    on_disk = find_hidden_seed(REPO / "solutions")
    report = grade_path(HOSTILE / "steals_seed.py", None, LIMITS, isolation=Isolation("none", "forced by the test"))
    assert f"hidden_seed = {on_disk}" in json.dumps(report.to_dict())
    assert report.isolation["level"] == "none"
    assert "NOT held" in render(report, "text").splitlines()[-1]


@needs_namespaces
def test_an_escaped_process_is_gone_before_the_report_is_written(tmp_path):
    attack, target, marker, name = escape_attack(tmp_path)
    grader = subprocess.Popen([sys.executable, "-m", "autograder.cli", "grade", str(attack), "--format", "json",
                               "--output", str(target), "--timeout", "3"], stderr=subprocess.PIPE, text=True)
    assert grader.wait(timeout=120) == 0, grader.stderr.read()
    assert leftovers(grader.pid, name) == []
    time.sleep(1.5)  # the escapee would have written by now
    report = json.loads(target.read_text())
    assert "forged" not in report and report["score"] == 5
    assert not marker.exists()


@needs_namespaces
def test_no_grader_file_or_secret_is_visible_inside_the_sandbox():
    """Walk the child's whole file system: nothing of the grader's, no project folder, no seed."""
    source = '''
import os
def look(_):
    seen = []
    for folder, subfolders, files in os.walk("/"):
        if folder in ("/proc", "/sys", "/dev"):
            subfolders[:] = []
            continue
        seen += [os.path.join(folder, name) for name in subfolders + files]
    return seen
'''
    with Sandbox([Cell("probe.py", source)], Limits(timeout=60)) as sandbox:
        seen = sandbox.run("look", [("all", (0,))]).cases["all"].value
    assert len(seen) > 1000  # the walk really ran (numpy, the standard library)
    packages = [path for path in seen if {"cnn_reference", "autograder"} & set(Path(path).parts)]
    solved = [path for path in seen if Path(path).name in {"course_loops.py", "with_mistakes.py", "grader.toml"}]
    project = [path for path in seen if path.startswith(f"{REPO}/") and not path.startswith(f"{REPO}/.venv")]
    metadata = [path for path in seen if "/convgrade-" in path and ".dist-info/" in path]
    assert packages == solved == project == metadata == []


@needs_namespaces
def test_a_batch_survives_a_classmate_that_kills_everything_it_can_see(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    for student in ("alice", "bob"):
        shutil.copy(EXAMPLES / "course_loops.py", folder / f"{student}.py")
    shutil.copy(HOSTILE / "kills_everyone.py", folder / "mallory.py")
    result = subprocess.run([sys.executable, "-m", "autograder.cli", "batch", str(folder), "--jobs", "2", "--quiet",
                             "--timeout", "3", "--out", str(tmp_path / "results")],
                            capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert result.returncode == 0, result.stderr + result.stdout
    with open(tmp_path / "results" / "scores.csv") as handle:
        totals = {row["student"]: row["total"] for row in csv.DictReader(handle)}
    assert totals == {"alice": "100", "bob": "100", "mallory": "5"}


def notebook(*sources: str) -> Path:
    return [Cell(f"cell {k + 1}", source) for k, source in enumerate(sources)]


ZERO_PAD = "import numpy as np\ndef zero_pad(X, pad):\n    return np.pad(X, ((0, 0), (pad, pad), (pad, pad), (0, 0)))\n"
CONV_SINGLE_STEP = "def conv_single_step(a, W, b):\n    return float(np.sum(a * W) + b.item())\n"
FORGER = '''
import json, os, signal, stat, struct, time
signal.signal(signal.SIGALRM, signal.SIG_IGN)
def forge(message):
    body = json.dumps(message).encode()
    for fd in range(3, 64):
        try:
            if stat.S_ISFIFO(os.fstat(fd).st_mode):
                os.write(fd, struct.pack(">QI", 4 + len(body), len(body)) + body)
        except OSError:
            pass
while True:
    forge(@FRAME@)
    time.sleep(0.2)
'''


@pytest.mark.parametrize("frame", ['{"event": "cell", "index": 0}', '{"event": "loaded", "functions": ["conv_forward"]}',
                                   '{"event": "cell_done", "index": 1}'], ids=["rewind", "loaded", "done"])
def test_forged_frames_and_ignored_alarms_cost_only_their_own_cell(frame):
    cells = notebook(ZERO_PAD, FORGER.replace("@FRAME@", frame), CONV_SINGLE_STEP)
    start = time.monotonic()
    report = grade_cells(cells, "forger", None, Limits(timeout=3, cell_timeout=2, load_timeout=20))
    assert time.monotonic() - start < 25
    assert {e.name: e.status for e in report.exercises if e.score} == {"zero_pad": "passed", "conv_single_step": "passed"}
    assert any("cell 2" in error for error in report.errors), report.errors


def test_a_child_that_keeps_resetting_its_deadline_is_stopped_by_the_overall_one():
    stall = "import signal, time\nsignal.signal(signal.SIGALRM, signal.SIG_IGN)\ntime.sleep(1000)\n"
    cells = notebook(ZERO_PAD, *[stall] * 6, CONV_SINGLE_STEP)
    start = time.monotonic()
    report = grade_cells(cells, "staller", None, Limits(timeout=3, cell_timeout=1, load_timeout=8, restarts=10))
    assert time.monotonic() - start < 8 + 10
    assert report.score == 0 and "not loaded completely" in report.errors[-1]


def test_a_submission_for_another_assignment_gets_zero_and_a_sentence_saying_so():
    foundations = REPO / "solutions" / "cnn_foundations" / "cnn_foundations.ipynb"
    report = grade_path(foundations, None, LIMITS, assignment=by_name("conv_step_by_step"))
    assert report.score == 0 and report.assignment == "conv_step_by_step"
    assert report.errors[0].startswith("This grader grades conv_step_by_step, but your submission defines the "
                                       "functions of cnn_foundations")
    guessed = grade_path(foundations, None, LIMITS)
    assert guessed.assignment == "cnn_foundations" and guessed.score == 100


def test_the_report_says_which_isolation_held():
    report = grade_path(EXAMPLES / "course_loops.py", None, LIMITS)
    assert report.isolation == detect().to_dict()
    assert render(report, "text").splitlines()[-1].startswith(f"Isolation: {LEVEL}")



@pytest.mark.skipif(os.environ.get("CI") != "true" or os.geteuid() != 0, reason="CI runs as root")
def test_ci_grades_at_the_root_level():
    assert LEVEL == "root", detect().reason


UNPRIVILEGED = ["unshare", "--user", "--map-user=1000", "--map-group=1000"]


@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("unshare") is None or LEVEL == "none",
                    reason="simulating an unprivileged grader needs root and unshare")
def test_an_unprivileged_grader_uses_user_namespaces_and_still_holds(tmp_path):
    """The grader as an ordinary user (uid 1000 in a user namespace, no capabilities): the userns level."""
    attack, target, marker, name = escape_attack(tmp_path)
    env = {**os.environ, "CONVGRADE_HIDDEN_SEED": "8675309123"}
    for submission in (attack, HOSTILE / "steals_seed.py", HOSTILE / "reads_reference_from_disk.py",
                       HOSTILE / "fork_bomb.py"):
        result = subprocess.run([*UNPRIVILEGED, sys.executable, "-m", "autograder.cli", "grade", str(submission),
                                 "--format", "json", "--timeout", "3"], capture_output=True, text=True, timeout=300,
                                env=env, cwd=REPO)
        assert result.returncode == 0, result.stderr
        report = json.loads(result.stdout)
        assert report["isolation"]["level"] == "userns", report["isolation"]
        assert report["score"] == 5, [(e["name"], e["feedback"]) for e in report["exercises"] if e["score"]]
        assert "8675309123" not in result.stdout and str(REPO / "autograder") not in result.stdout
    time.sleep(1.5)
    assert not marker.exists() and leftovers(0, name) == []
