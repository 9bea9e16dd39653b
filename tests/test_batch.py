"""`convgrade batch`: discovery and student ids, one contract report per submission, scores.csv, resuming
(also after SIGKILL), poisoned submissions, the class report's rankings, and the dask executor."""
from __future__ import annotations

import csv
import fcntl
import json
import os
import pty
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path, PurePosixPath

import pytest

from autograder import files
from autograder.batch import classreport, executors, feedback_pages, results
from autograder.registry import by_name
from autograder.batch.discover import discover, owner
from autograder.course_grading import grade_course_cells
from autograder.model import CaseResult, ExerciseResult, Report
from autograder.reports.scores import points
from autograder.sandbox import Isolation, Limits
from autograder.submission import read_cells
from conftest import EXAMPLES, SEED, SUBMISSIONS

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
CORRECT = EXAMPLES / "course_loops.py"
WITH_MISTAKES = REPO / "autograder" / "assignments" / "conv_step_by_step" / "examples" / "with_mistakes.py"
CONTRACT_KEYS = Report("x", []).to_dict().keys()
SUMMARY = re.compile(r"(\d+) submissions: (\d+) graded, (\d+) skipped, (\d+) not graded")


def convgrade_batch(folder: Path, *args, env: dict | None = None) -> subprocess.CompletedProcess:
    """`convgrade batch` run from outside the repository: public cases unless ``env`` sets the seed."""
    return subprocess.run([sys.executable, "-m", "autograder.cli", "batch", str(folder), *map(str, args)],
                          cwd=folder.parent, capture_output=True, text=True, timeout=300, env=env or environment())


def environment(**extra: str) -> dict:
    env = {key: value for key, value in os.environ.items() if key != "CONVGRADE_HIDDEN_SEED"}
    return {**env, **extra}


def counts(stdout: str) -> dict[str, int]:
    """The summary line's counts: submissions, graded, skipped, not graded."""
    found = SUMMARY.search(stdout)
    assert found, stdout
    return dict(zip(("submissions", "graded", "skipped", "failed"), map(int, found.groups())))


def notebook(source: str) -> str:
    """A one-cell notebook holding ``source``."""
    cell = {"cell_type": "code", "metadata": {}, "source": source, "outputs": [], "execution_count": None}
    return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [cell]})


def put(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def reports_in(results_dir: Path) -> dict[str, dict]:
    """Every visible report file under results_dir/reports, by its path there; each must be complete JSON."""
    folder = results_dir / results.REPORTS
    return {path.relative_to(folder).as_posix(): json.loads(path.read_text())
            for path in sorted(folder.rglob("*.json")) if not path.name.startswith(".")}


# -- discovery ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("root, relative, student, assignment", [
    ("submitted", "alice/ps1/ps1.ipynb", "alice", "ps1"),  # DIR is nbgrader's submitted/ folder
    ("course", "submitted/alice/ps1/ps1.ipynb", "alice", "ps1"),  # DIR is the course folder
    ("course", "submitted/bob/ps1/helpers.py", "bob", "ps1"),
    ("subs", "carol.py", "carol", None),
    ("subs", "group1/dan.ipynb", "group1/dan", None),
    ("subs", "submitted/ps1.ipynb", "submitted/ps1", None),  # too shallow for nbgrader's layout
])
def test_owner(root, relative, student, assignment):
    assert owner(root, PurePosixPath(relative)) == (student, assignment)


def test_discover_finds_notebooks_and_python_files_recursively_skipping_hidden_folders(tmp_path):
    folder = tmp_path / "subs"
    for name in ["group1/alice.ipynb", "group1/.ipynb_checkpoints/alice-checkpoint.ipynb", "bob.py",
                 "group2/__pycache__/x.py", "group2/notes.txt", "group2/carol.py", ".hidden.py"]:
        put(folder / name, "")
    found = discover(folder)
    assert [(str(s.relative), s.student, s.assignment) for s in found] == [
        ("bob.py", "bob", None), ("group1/alice.ipynb", "group1/alice", None), ("group2/carol.py", "group2/carol", None),
    ]
    assert all(s.path == folder / s.relative for s in found)


NBGRADER_COURSE = [  # what an nbgrader course folder holds after collect, autograde and feedback
    "nbgrader_config.py", "gradebook.db", "source/ps1/ps1.ipynb", "source/ps1/test_ps1.py", "release/ps1/ps1.ipynb",
    "submitted/alice/ps1/ps1.ipynb", "submitted/alice/ps1/test_ps1.py", "submitted/alice/ps1/ps1-Copy1.ipynb",
    "submitted/alice/ps1/.ipynb_checkpoints/ps1-checkpoint.ipynb", "submitted/alice/ps1/timestamp.txt",
    "submitted/bob/ps1/my_work.ipynb", "submitted/carol/ps1/draft.ipynb", "submitted/carol/ps1/final.ipynb",
    "submitted/carol/ps2/ps2.ipynb", "submitted/dan/ps1/notes.txt", "autograded/alice/ps1/ps1.ipynb",
    "feedback/alice/ps1/ps1.html", "extra/ps1.py",
]


@pytest.mark.parametrize("root", ["course", "course/submitted"])
def test_in_an_nbgrader_course_only_the_handed_in_notebooks_are_submissions(tmp_path, root):
    """One notebook per student and assignment: the one named after the assignment, or the only one."""
    for name in NBGRADER_COURSE:
        put(tmp_path / "course" / name, "")
    found = discover(tmp_path / root)
    prefix = "submitted/" if root == "course" else ""
    assert [(str(s.relative).removeprefix(prefix), s.student, s.assignment, s.refused) for s in found] == [
        ("alice/ps1/ps1.ipynb", "alice", "ps1", None),
        ("bob/ps1/my_work.ipynb", "bob", "ps1", None),
        ("carol/ps1", "carol", "ps1", "one of 2 notebooks, none named ps1.ipynb (draft.ipynb, final.ipynb)"),
        ("carol/ps2/ps2.ipynb", "carol", "ps2", None),
    ]
    assert next(s for s in found if s.refused).advice == "Keep one notebook named ps1.ipynb."
    assert [str(s.relative) for s in discover(tmp_path / root, "ps2")] == [f"{prefix}carol/ps2/ps2.ipynb"]


# -- a batch, its reports, scores.csv and report.html -------------------------------------------------------

def test_batch_writes_one_contract_report_per_submission_scores_csv_and_the_class_report(tmp_path):
    folder = tmp_path / "course"
    files = {
        name: put(folder / name, text) for name, text in (
            ("submitted/alice/ps1/ps1.ipynb", notebook(WITH_MISTAKES.read_text())),
            ("submitted/bob/ps1/ps1.ipynb", notebook(CORRECT.read_text())),
            ("submitted/carol/ps1/ps1.ipynb", notebook(WITH_MISTAKES.read_text())),
            ("submitted/carol/ps1/test_ps1.py", "assert False"))  # what nbgrader collects beside it: not graded
    }
    out = tmp_path / "results"
    result = convgrade_batch(folder, "--jobs", "2", "--out", out, "--timeout", "30")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # no progress bar when stderr is not a terminal
    assert counts(result.stdout) == {"submissions": 3, "graded": 3, "skipped": 0, "failed": 0}

    reports = reports_in(out)
    notebooks = {name: path for name, path in files.items() if name.endswith(".ipynb")}
    assert sorted(reports) == sorted(f"{name}.json" for name in notebooks)
    for name, path in notebooks.items():
        expected = grade_course_cells(read_cells(path), name, None, Limits(timeout=30)).to_dict()
        assert reports[f"{name}.json"] == expected  # exactly `convgrade grade --format json`
        assert reports[f"{name}.json"].keys() == CONTRACT_KEYS

    with open(out / "scores.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    names = [e["name"] for e in reports["submitted/carol/ps1/ps1.ipynb.json"]["exercises"]]
    assert list(rows[0]) == ["student", *names, "total", "max", "status", "assignment", "submission", "note"]
    assert [(r["student"], r["submission"], r["status"]) for r in rows] == [
        ("alice", "submitted/alice/ps1/ps1.ipynb", "failed"),
        ("bob", "submitted/bob/ps1/ps1.ipynb", "passed"),
        ("carol", "submitted/carol/ps1/ps1.ipynb", "failed"),
    ]
    for row in rows:
        written = reports[row["submission"] + ".json"]
        assert row["total"] == points(written["score"]) and float(row["max"]) == written["max_score"] == 100
        assert {name: row[name] for name in names} == {e["name"]: points(e["score"]) for e in written["exercises"]}
    assert float(rows[0]["total"]) < 100 and float(rows[1]["total"]) == 100

    page = (out / "report.html").read_text()
    assert "3 students, 3 submissions" in page
    assert "ignores the stride" in page and "2 (67%)" in page  # alice and carol made it
    assert "alice, carol" in page  # who made it
    assert page.count('<svg class="chart" role="img"') == 2 and 'fill="#4c72b0"' in page  # the two charts


def test_default_results_folder_is_beside_the_submissions(tmp_path):
    folder = tmp_path / "submitted"
    put(folder / "alice" / "ps1" / "ps1.ipynb", notebook(CORRECT.read_text()))
    result = convgrade_batch(folder, "--jobs", "1")
    assert result.returncode == 0, result.stderr
    assert list(reports_in(tmp_path / "convgrade-results")) == ["alice/ps1/ps1.ipynb.json"]
    scores = (tmp_path / "convgrade-results" / "scores.csv").read_text()
    assert "alice,5,5,20,15,25,5,5,20,100,100,passed,conv_step_by_step,alice/ps1/ps1.ipynb" in scores


def test_nbgrader_assignment_folder_decides_what_a_submission_is_graded_as(tmp_path):
    """A notebook that defines nothing, or cannot be read, is still graded as its folder's assignment."""
    folder = tmp_path / "submitted"
    put(folder / "alice" / "cnn_foundations" / "cnn_foundations.ipynb", notebook("def broken(:\n"))
    put(folder / "bob" / "cnn_foundations" / "cnn_foundations.ipynb", '{"cells": [')
    put(folder / "carol" / "ps1" / "ps1.ipynb", notebook(CORRECT.read_text()))  # not an assignment's name
    out = tmp_path / "results"
    assert convgrade_batch(folder, "--out", out).returncode == 0
    reports = reports_in(out)
    foundations = by_name("cnn_foundations").function_names
    for student in ("alice", "bob"):
        written = reports[f"{student}/cnn_foundations/cnn_foundations.ipynb.json"]
        assert written["assignment"] == "cnn_foundations"
        assert [e["name"] for e in written["exercises"]] == foundations
        assert written["score"] == 0 and written["max_score"] == 100
    assert reports["carol/ps1/ps1.ipynb.json"]["assignment"] == "conv_step_by_step"
    assert reports["carol/ps1/ps1.ipynb.json"]["score"] == 100
    page = (out / "report.html").read_text()
    assert "Scores: cnn_foundations" in page and "Scores: conv_step_by_step" in page


def test_a_missing_folder_is_an_error(tmp_path):
    result = convgrade_batch(tmp_path / "absent")
    assert result.returncode == 2 and "no such folder" in result.stderr


# -- resuming -----------------------------------------------------------------------------------------------

def stamps(results_dir: Path) -> dict[str, tuple[int, int]]:
    """(inode, mtime) of every report: a report written again gets a new inode (atomic rename)."""
    folder = results_dir / results.REPORTS
    return {path.relative_to(folder).as_posix(): (path.stat().st_ino, path.stat().st_mtime_ns)
            for path in folder.rglob("*.json") if not path.name.startswith(".")}


def test_a_rerun_grades_only_new_or_changed_submissions(tmp_path):
    folder = tmp_path / "subs"
    for name in ("a", "b", "c"):
        put(folder / f"{name}.py", CORRECT.read_text())
    out = tmp_path / "results"
    assert counts(convgrade_batch(folder, "--out", out).stdout)["graded"] == 3
    before = stamps(out)

    assert counts(convgrade_batch(folder, "--out", out).stdout) == {"submissions": 3, "graded": 0, "skipped": 3,
                                                                    "failed": 0}
    assert stamps(out) == before

    put(folder / "d.py", WITH_MISTAKES.read_text())
    later = time.time() + 5
    os.utime(folder / "b.py", (later, later))  # b was handed in again
    result = convgrade_batch(folder, "--out", out)
    assert counts(result.stdout) == {"submissions": 4, "graded": 2, "skipped": 2, "failed": 0}
    after = stamps(out)
    assert {name for name in before if after[name] != before[name]} == {"b.py.json"}
    assert "d.py.json" in after

    assert counts(convgrade_batch(folder, "--out", out, "--force").stdout)["graded"] == 4
    hidden = convgrade_batch(folder, "--out", out, env=environment(CONVGRADE_HIDDEN_SEED=str(SEED)))
    assert counts(hidden.stdout)["graded"] == 4  # public-only reports are not current for a hidden-case run
    assert not any(report["public_only"] for report in reports_in(out).values())


def test_after_a_rerun_every_feedback_page_shows_its_current_report(tmp_path):
    folder = tmp_path / "subs"
    put(folder / "a.py", CORRECT.read_text())
    put(folder / "b.py", WITH_MISTAKES.read_text())
    out = tmp_path / "results"
    convgrade_batch(folder, "--out", out)
    (out / feedback_pages.page_path("a.py")).unlink()  # a page lost since: the rerun makes it again
    put(folder / "b.py", CORRECT.read_text())
    later = time.time() + 5
    os.utime(folder / "b.py", (later, later))  # b was handed in again, corrected
    put(folder / "c.py", WITH_MISTAKES.read_text())
    assert counts(convgrade_batch(folder, "--out", out).stdout)["graded"] == 2
    for name in ("a.py", "b.py", "c.py"):
        report = results.load_report(results.report_path(out, PurePosixPath(name)))
        page = (out / feedback_pages.page_path(name)).read_text()
        assert page == feedback_pages.render(name.removesuffix(".py"), report), name


def test_a_report_is_replaced_whole_or_not_at_all(tmp_path, monkeypatch):
    path = tmp_path / "reports" / "a.py.json"
    files.write_atomically(path, '{"old": 1}')

    def interrupted(source, target):
        raise KeyboardInterrupt

    monkeypatch.setattr(files.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        files.write_atomically(path, '{"new": 2}')
    assert path.read_text() == '{"old": 1}'
    assert os.listdir(path.parent) == ["a.py.json"]  # the temporary file is gone too
    monkeypatch.undo()
    files.write_atomically(path, '{"new": 2}')
    assert path.read_text() == '{"new": 2}'


def children(pid: int) -> list[int]:
    with open(f"/proc/{pid}/task/{pid}/children") as handle:
        return [int(child) for child in handle.read().split()]


def running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rpartition(")")[2].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads worker processes from /proc")
def test_sigkill_mid_batch_then_rerun_loses_nothing_and_grades_nothing_twice(tmp_path):
    folder, out, total = tmp_path / "subs", tmp_path / "results", 16
    for k in range(total):
        put(folder / f"s{k:02}.py", (CORRECT if k % 2 else WITH_MISTAKES).read_text())
    command = [sys.executable, "-m", "autograder.cli", "batch", str(folder), "--out", str(out), "--jobs", "2"]
    batch = subprocess.Popen(command, cwd=tmp_path, env=environment(), stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while len(stamps(out) if (out / results.REPORTS).is_dir() else {}) < 3:
        assert time.monotonic() < deadline and batch.poll() is None, "the batch ended before it could be killed"
        time.sleep(0.02)
    workers = children(batch.pid)
    batch.send_signal(signal.SIGKILL)
    batch.wait()

    kept = stamps(out)
    assert 3 <= len(kept) < total, "not killed mid-way"
    assert len(reports_in(out)) == len(kept)  # every report on disk is complete JSON
    deadline = time.monotonic() + 10
    try:
        while any(running(pid) for pid in workers):  # orphaned pool workers notice and leave
            assert time.monotonic() < deadline, "pool workers outlived the killed batch"
            time.sleep(0.1)
    finally:
        for pid in filter(running, workers):
            os.kill(pid, signal.SIGKILL)

    rerun = convgrade_batch(folder, "--out", out, "--jobs", "2")
    assert rerun.returncode == 0, rerun.stderr
    assert counts(rerun.stdout) == {"submissions": total, "graded": total - len(kept), "skipped": len(kept),
                                    "failed": 0}
    after = stamps(out)
    assert sorted(after) == [f"s{k:02}.py.json" for k in range(total)]  # exactly one report each
    assert {name: after[name] for name in kept} == kept  # none graded twice
    scores = {name: report["score"] for name, report in reports_in(out).items()}
    assert all(scores[f"s{k:02}.py.json"] == 100 for k in range(1, total, 2))


# -- reading reports back ---------------------------------------------------------------------------------------

def full_report() -> Report:
    """A report with every part filled: cases (one diagnosed), loading errors, the isolation it was graded under."""
    cases = [CaseResult("public:1", "A_prev (2, 4, 4, 3)", True, "passed"),
             CaseResult("hidden:stride3:1", "stride 3", False, "failed", "Z differs at [0, 1, 1, 0]",
                        "You ignore the stride."),
             CaseResult("hidden:large:1", "A_prev (64, 32, 32, 16)", False, "timeout", "did not finish within 2 s")]
    exercises = [ExerciseResult("zero_pad", 5, 5, "passed"),
                 ExerciseResult("conv_forward", 7.5, 20.0, "failed", cases, ["You ignore the stride.", "Check Z."])]
    return Report("late/carol.ipynb", exercises, ["SyntaxError: '(' was never closed (cell 2, line 6)"],
                  assignment="conv_step_by_step", isolation=Isolation("userns", "not root").to_dict())


def test_a_report_reads_back_as_the_report_it_was():
    written = full_report()
    data = json.loads(json.dumps(written.to_dict()))  # as a report file holds it
    read = Report.from_dict(data)
    assert read == written
    assert read.to_dict() == data == written.to_dict()


def test_a_report_from_before_assignments_and_isolation_reads_back_without_them():
    data = full_report().to_dict()
    del data["assignment"], data["isolation"]
    read = Report.from_dict(data)
    assert (read.assignment, read.isolation) == ("", None)
    assert read.exercises == full_report().exercises


def spoiled(path: tuple, value=None, remove: bool = False) -> dict:
    """full_report().to_dict() with the item at ``path`` (keys and indexes) set to ``value``, or removed."""
    data = full_report().to_dict()
    *parents, last = path
    holder = data
    for key in parents:
        holder = holder[key]
    if remove:
        del holder[last]
    else:
        holder[last] = value
    return data


@pytest.mark.parametrize("data, message", [
    (spoiled(("public_only",), remove=True), "missing 'public_only'"),
    (spoiled(("exercises", 1, "cases", 1, "diagnosis"), remove=True),
     r"exercises\[1\]: cases\[1\]: missing 'diagnosis'"),
    (spoiled(("submission",), 3), "'submission' must be str, got int"),
    (spoiled(("public_only",), 0), "'public_only' must be bool, got int"),
    (spoiled(("exercises", 0, "score"), True), r"exercises\[0\]: 'score' must be int or float, got bool"),
    (spoiled(("exercises", 1, "cases", 2, "status"), "skipped"), "'status' must be one of passed, failed, "),
    (spoiled(("exercises", 1, "cases", 0), "passed"), r"cases\[0\]: expected an object, got str"),
    (spoiled(("errors", 0), None), "'errors' must be a list of strings"),
    (spoiled(("isolation",), "userns"), "'isolation' must be dict or null, got str"),
    (spoiled(("score",), 100), "'score' is 100, but the exercises add up to 12.5"),
    ([full_report().to_dict()], "expected an object, got list"),
])
def test_a_malformed_report_says_what_is_wrong_and_loads_as_absent(tmp_path, data, message):
    with pytest.raises(ValueError, match=message):
        Report.from_dict(data)
    path = put(tmp_path / "a.py.json", json.dumps(data))
    assert results.load_report(path) is None


def test_load_report_reads_a_report_file_and_nothing_else(tmp_path):
    assert results.load_report(put(tmp_path / "a.py.json", json.dumps(full_report().to_dict()))) == full_report()
    assert results.load_report(put(tmp_path / "b.py.json", '{"exercises": [')) is None
    assert results.load_report(tmp_path / "absent.py.json") is None


def test_a_malformed_report_is_regraded_like_a_missing_one(tmp_path):
    folder, out = tmp_path / "subs", tmp_path / "results"
    for name in ("a", "b", "c", "d"):
        put(folder / f"{name}.py", CORRECT.read_text())
    assert counts(convgrade_batch(folder, "--out", out).stdout)["graded"] == 4
    graded = reports_in(out)
    missing_key = {key: value for key, value in graded["b.py.json"].items() if key != "submission"}
    wrong_type = {**graded["c.py.json"], "errors": None}
    for name, text in (("b.py.json", json.dumps(missing_key)), ("c.py.json", json.dumps(wrong_type)),
                       ("d.py.json", "{")):
        put(out / results.REPORTS / name, text)

    result = convgrade_batch(folder, "--out", out)
    assert counts(result.stdout) == {"submissions": 4, "graded": 3, "skipped": 1, "failed": 0}
    assert reports_in(out) == graded
    with open(out / "scores.csv", newline="") as handle:
        assert [(row["submission"], row["status"]) for row in csv.DictReader(handle)] == [
            (f"{name}.py", "passed") for name in "abcd"]


# -- poisoned submissions -------------------------------------------------------------------------------------

def test_poisoned_submissions_cost_only_themselves(tmp_path):
    folder = tmp_path / "subs"
    folder.mkdir()
    for name in ("loops_forever.py", "eats_memory.py", "crashes.py", "exits.py", "syntax_error.py"):
        shutil.copy(SUBMISSIONS / "hostile" / name, folder / name)
    (folder / "garbage.ipynb").write_bytes(b"\xff\xfe not a notebook \x00")
    put(folder / "broken.ipynb", '{"cells": [')
    shutil.copy(CORRECT, folder / "correct.py")
    out = tmp_path / "results"
    result = convgrade_batch(folder, "--out", out, "--jobs", "2", "--timeout", "2", "--memory", "256")
    assert result.returncode == 0, result.stderr
    assert counts(result.stdout) == {"submissions": 8, "graded": 8, "skipped": 0, "failed": 0}

    reports = reports_in(out)
    status = {name: {e["name"]: e["status"] for e in report["exercises"]} for name, report in reports.items()}
    assert reports["correct.py.json"]["score"] == 100
    assert status["loops_forever.py.json"]["conv_backward"] == "timeout"
    assert status["eats_memory.py.json"]["pool_backward"] == "error"
    assert status["crashes.py.json"]["create_mask_from_window"] == "error"
    assert status["exits.py.json"]["conv_forward"] == status["exits.py.json"]["pool_forward"] == "error"
    for name in ("loops_forever.py.json", "eats_memory.py.json", "crashes.py.json", "exits.py.json"):
        assert status[name]["zero_pad"] == "passed"  # the rest of a hostile file still counts
    for name in ("garbage.ipynb.json", "broken.ipynb.json"):
        assert reports[name].keys() == CONTRACT_KEYS
        assert reports[name]["score"] == 0 and reports[name]["max_score"] == 100
        assert reports[name]["errors"][0].startswith("unreadable submission: ")

    with open(out / "scores.csv", newline="") as handle:
        statuses = {row["student"]: row["status"] for row in csv.DictReader(handle)}
    assert statuses == {"broken": "unreadable", "correct": "passed", "crashes": "failed", "eats_memory": "failed",
                        "exits": "failed", "garbage": "unreadable", "loops_forever": "failed",
                        "syntax_error": "failed"}
    entries = [(name, Report.from_dict(written)) for name, written in reports.items()]
    errors = {error.kind: error for error in classreport.ranked_errors(entries)}
    assert {"timeout", "unreadable submission", "SyntaxError",
            "the process running this function crashed"} <= set(errors)


# -- the progress bar ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("quiet", [False, True])
def test_the_progress_bar_shows_on_a_terminal_unless_quiet(tmp_path, quiet):
    folder = tmp_path / "subs"
    put(folder / "a.py", CORRECT.read_text())
    controller, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # a terminal 100 columns wide
    command = [sys.executable, "-m", "autograder.cli", "batch", str(folder), "--jobs", "1"] + ["--quiet"] * quiet
    subprocess.run(command, cwd=tmp_path, env=environment(), stdout=subprocess.DEVNULL, stderr=terminal,
                   timeout=120, check=True)
    os.close(terminal)
    shown = b""
    while True:
        try:
            chunk = os.read(controller, 4096)
        except OSError:  # EIO: the terminal's other end is closed
            break
        if not chunk:
            break
        shown += chunk
    os.close(controller)
    assert (b"1/1" in shown) is not quiet


# -- the class report ---------------------------------------------------------------------------------------

def case(diagnosis: str = "", status: str = "failed", message: str = "") -> CaseResult:
    return CaseResult("public:1", "", True, status, message, diagnosis)


def report(errors: tuple[str, ...] = (), **cases: list[CaseResult]) -> Report:
    exercises = [ExerciseResult(name, 0.0, 20.0, "failed", found) for name, found in cases.items()]
    return Report("x", exercises, list(errors))


def test_mistakes_rank_by_distinct_students_not_by_cases():
    often = "Your db keeps only the last dZ value <&> fix it."
    once = "You flipped the kernel."
    entries = [
        ("s1", report(conv_backward=[case(often), case(often)])),
        ("s1", report(conv_backward=[case(often)])),  # s1's second file: still one student
        ("s2", report(conv_backward=[case(often)])),
        ("s3", report(conv_backward=[case(often)], conv_forward=[case(status="passed")])),
        ("s4", report(conv_backward=[case(once)] * 6)),  # more cases than `often`, but one student
    ]
    assert classreport.ranked_mistakes(entries) == [classreport.Mistake("conv_backward", often, ("s1", "s2", "s3")),
                                                    classreport.Mistake("conv_backward", once, ("s4",))]
    page = classreport.render(entries)
    assert "4 students, 5 submissions" in page
    assert page.index("the last dZ value &lt;&amp;&gt; fix it") < page.index(once)
    assert '<td class="number">3 (75%)</td>' in page


@pytest.mark.parametrize("status, message, kind", [
    ("error", "TypeError: unsupported operand (cell 4, line 7: `Z = a + b`)", "TypeError"),
    ("timeout", "did not finish within 2 s", "timeout"),
    ("error", "the process running this function crashed (signal SIGSEGV)",
     "the process running this function crashed"),
    ("error", "ran out of memory: it needed more than the 256 MiB limit (MemoryError: )", "ran out of memory"),
])
def test_error_kind(status, message, kind):
    assert classreport.error_kind(status, message) == kind


def test_errors_rank_by_distinct_students_with_where_they_happen():
    type_error = case(status="error", message="TypeError: bad operand")
    entries = [
        ("s1", report(conv_forward=[type_error, type_error], pool_forward=[type_error])),
        ("s2", report(conv_forward=[type_error])),
        ("s3", report(conv_backward=[case(status="timeout", message="did not finish within 5 s")] * 3)),
        ("s4", report(errors=("SyntaxError: '(' was never closed (cell 2, line 6)",))),
    ]
    assert classreport.ranked_errors(entries) == [
        classreport.ErrorKind("TypeError", ("conv_forward", "pool_forward"), ("s1", "s2")),
        classreport.ErrorKind("SyntaxError", ("loading",), ("s4",)),
        classreport.ErrorKind("timeout", ("conv_backward",), ("s3",)),
    ]


# -- executors ------------------------------------------------------------------------------------------------

def test_dask_executor_grades_on_the_cluster_like_the_local_pool(tmp_path):
    distributed = pytest.importorskip("distributed")
    folder = tmp_path / "subs"
    for name, source in (("a.py", CORRECT), ("b.py", WITH_MISTAKES), ("c.py", WITH_MISTAKES), ("d.py", CORRECT)):
        put(folder / name, source.read_text())
    local = convgrade_batch(folder, "--out", tmp_path / "local", "--jobs", "2")
    assert local.returncode == 0, local.stderr
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        address = cluster.scheduler_address.replace("tcp://", "dask://")
        result = convgrade_batch(folder, "--out", tmp_path / "dask", "--executor", address)
        assert result.returncode == 0, result.stderr
        assert cluster.scheduler.task_prefixes["grade_one"].state_counts["memory"] == 4  # ran there
    assert counts(result.stdout)["graded"] == 4
    assert reports_in(tmp_path / "dask") == reports_in(tmp_path / "local")
    assert (tmp_path / "dask" / "scores.csv").read_text() == (tmp_path / "local" / "scores.csv").read_text()


def test_dask_executor_without_dask_installed_says_what_to_install(tmp_path):
    put(tmp_path / "subs" / "a.py", CORRECT.read_text())
    code = ("import sys; sys.modules['distributed'] = None; from autograder.cli import main; "
            f"sys.exit(main(['batch', {str(tmp_path / 'subs')!r}, '--executor', 'dask://127.0.0.1:8786']))")
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert result.returncode == 3
    assert "pip install 'convgrade[dask]'" in result.stderr


def test_an_unreachable_dask_scheduler_is_reported_within_seconds(tmp_path):
    pytest.importorskip("distributed")
    put(tmp_path / "subs" / "a.py", CORRECT.read_text())
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = convgrade_batch(tmp_path / "subs", "--out", tmp_path / "out", "--executor", f"dask://127.0.0.1:{port}")
    assert result.returncode == 3 and f"cannot reach the dask scheduler at tcp://127.0.0.1:{port}" in result.stderr
    assert f"after {executors.CONNECT_SECONDS} s" in result.stderr  # it gave up after seconds, not distributed's 30


def test_an_executor_that_is_not_dask_is_a_usage_error(tmp_path):
    put(tmp_path / "subs" / "a.py", CORRECT.read_text())
    result = convgrade_batch(tmp_path / "subs", "--executor", "http://localhost:8786")
    assert result.returncode == 2 and "expected dask://HOST:PORT" in result.stderr
