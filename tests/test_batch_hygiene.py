"""`convgrade batch` against a student who has read the source: links to others' work are refused unread,
oversized files are not read, very long names still get their reports, and every submission the grader did
not grade has a row in scores.csv saying why."""
from __future__ import annotations

import csv
import os
from contextlib import contextmanager
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path, PurePosixPath

import pytest

from autograder import cli, files
from autograder.batch import command, results, run
from autograder.batch.discover import discover
from autograder.model import Report
from autograder.reports import render
from autograder.submission import SubmissionError, read_cells
from conftest import EXAMPLES
from test_batch import convgrade_batch, counts, notebook, put, reports_in

CORRECT = (EXAMPLES / "course_loops.py").read_text()
LONG_NAME = "frank_" + "f" * 241 + ".py"  # 250 bytes: with ".json" over NAME_MAX


def rows_of(results_dir: Path) -> dict[str, dict[str, str]]:
    """scores.csv's rows by submission."""
    with open(results_dir / "scores.csv", newline="") as handle:
        return {row["submission"]: row for row in csv.DictReader(handle)}


def texts_in(results_dir: Path) -> str:
    """Everything the batch wrote, as one string."""
    return "\n".join(path.read_text() for path in results_dir.rglob("*") if path.is_file())


# -- the class a student who read the source is in -------------------------------------------------------------

@pytest.mark.slow
def test_links_oversized_files_and_long_names_each_get_the_honest_outcome(tmp_path):
    solutions = put(tmp_path / "solutions" / "secret.py", CORRECT)  # the instructor's, outside DIR
    folder = tmp_path / "subs"
    put(folder / "alice.py", CORRECT)
    folder.joinpath("bob.py").symlink_to("alice.py")
    folder.joinpath("carol.py").symlink_to(solutions)
    folder.joinpath("dave").symlink_to(solutions.parent, target_is_directory=True)
    put(folder / "erin.py", CORRECT + "#" + "x" * (1 << 20) + "\n")
    put(folder / LONG_NAME, CORRECT)
    out = tmp_path / "results"

    result = convgrade_batch(folder, "--out", out, "--jobs", "2", "--timeout", "3", "--max-size", "1")
    assert result.returncode == 0, result.stderr
    assert counts(result.stdout) == {"submissions": 6, "graded": 6, "skipped": 0, "failed": 0}

    rows = rows_of(out)
    assert {name: (row["total"], row["status"], row["note"]) for name, row in rows.items()} == {
        "alice.py": ("100", "passed", ""),
        "bob.py": ("0", "refused", "a link to another submission (alice.py)"),
        "carol.py": ("0", "refused", "a link to a file outside the submissions folder"),
        "dave": ("0", "refused", "a link to a folder outside the submissions folder"),
        "erin.py": ("0", "unreadable", "erin.py is 1.1 MiB; the limit is 1 MiB"),
        LONG_NAME: ("100", "passed", ""),
    }
    assert rows[LONG_NAME]["student"] == LONG_NAME.removesuffix(".py")

    reports = reports_in(out)
    assert reports[results.report_name(LONG_NAME)]["submission"] == LONG_NAME
    for name, start in (("bob.py", "refused"), ("carol.py", "refused"), ("dave", "refused"),
                        ("erin.py", "unreadable")):
        report, note = reports[f"{name}.json"], rows[name]["note"]
        assert report["score"] == 0 and report["max_score"] == 100
        assert report["errors"] == [f"{start} submission: {note}"]
        assert all(note in exercise["feedback"][0] for exercise in report["exercises"])

    written = texts_in(out)
    for secret in {str(tmp_path), str(tmp_path.resolve())}:
        assert secret not in written  # where the links point is never shown

    rerun = convgrade_batch(folder, "--out", out, "--jobs", "2", "--timeout", "3", "--max-size", "1")
    assert counts(rerun.stdout) == {"submissions": 6, "graded": 0, "skipped": 6, "failed": 0}
    assert rows_of(out) == rows


# -- discovery --------------------------------------------------------------------------------------------------

def test_discover_refuses_every_link_and_says_where_it_points_without_an_absolute_path(tmp_path):
    outside = put(tmp_path / "solutions" / "secret.py", CORRECT)
    root = tmp_path / "course" / "submitted"
    put(root / "alice" / "ps1" / "ps1.ipynb", "{}")
    put(root / "alice" / "ps1" / "notes.txt", "")
    links = {
        "bob/ps1/ps1.ipynb": "../../alice/ps1/ps1.ipynb",
        "carol/ps1/ps1.ipynb": outside,
        "dave/ps1": outside.parent,  # a linked assignment folder
        "erin": root / "alice",  # a linked student folder
        "frank/ps1/ps1.ipynb": "missing.ipynb",
        "gina/ps1/ps1.ipynb": "../../alice/ps1/notes.txt",
        "hana/ps1/notes.txt": outside,  # not a submission's name: ignored
        "ivan/.ps1": outside.parent,  # hidden: skipped like any hidden folder
    }
    for name, target in links.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).symlink_to(target)

    found = {str(s.relative): (s.student, s.assignment, s.refused) for s in discover(root)}
    assert found == {
        "alice/ps1/ps1.ipynb": ("alice", "ps1", None),
        "bob/ps1/ps1.ipynb": ("bob", "ps1", "a link to another submission (alice/ps1/ps1.ipynb)"),
        "carol/ps1/ps1.ipynb": ("carol", "ps1", "a link to a file outside the submissions folder"),
        "dave/ps1": ("dave", "ps1", "a link to a folder outside the submissions folder"),
        "erin": ("erin", None, "a link to a folder in the submissions folder (alice)"),
        "frank/ps1/ps1.ipynb": ("frank", "ps1", "a broken link"),
        "gina/ps1/ps1.ipynb": ("gina", "ps1", "a link to a file in the submissions folder (alice/ps1/notes.txt)"),
    }
    assert not any(str(tmp_path) in (refused or "") for _, _, refused in found.values())


def test_a_report_from_before_a_link_was_refused_is_not_current(tmp_path):
    """A link graded by a convgrade that followed links is graded again, now refused."""
    put(tmp_path / "subs" / "alice.py", CORRECT)
    (tmp_path / "subs" / "bob.py").symlink_to("alice.py")
    _, bob = discover(tmp_path / "subs")
    report_file = results.report_path(tmp_path / "results", bob.relative)
    files.write_atomically(report_file, render(Report(str(bob.relative), [], public_only=True), "json"))
    assert not results.is_current(report_file, bob, public_only=True)
    files.write_atomically(report_file, render(run.refused_report(bob, public_only=True), "json"))
    assert results.is_current(report_file, bob, public_only=True)


# -- long names -------------------------------------------------------------------------------------------------

def test_a_report_name_over_name_max_keeps_a_readable_start_and_a_hash_of_the_whole_name():
    assert results.report_name("alice.py") == "alice.py.json"
    shortened = results.report_name(LONG_NAME)
    assert len(shortened.encode()) <= results.NAME_MAX and shortened.endswith(".json")
    assert shortened.startswith(LONG_NAME[:200]) and shortened == results.report_name(LONG_NAME)
    assert results.report_name(LONG_NAME.replace("f.py", "g.py")) != shortened  # same start, another name
    accented = results.report_name("é" * 130 + ".py")  # 2 bytes a letter: never cut in the middle of one
    assert len(accented.encode()) <= results.NAME_MAX and accented.startswith("é" * 100)
    path = results.report_path(Path("out"), PurePosixPath("late", LONG_NAME))
    assert path == Path("out", "reports", "late", shortened)


def test_write_atomically_writes_the_longest_name_a_folder_can_hold(tmp_path):
    path = tmp_path / ("r" * results.NAME_MAX)
    files.write_atomically(path, "report")
    assert path.read_text() == "report" and os.listdir(tmp_path) == [path.name]


# -- size ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("suffix", [".py", ".ipynb"])
def test_a_submission_over_the_size_limit_is_not_read(tmp_path, suffix):
    path = put(tmp_path / f"work{suffix}", notebook("x = 1") if suffix == ".ipynb" else "x = 1")
    with path.open("a") as handle:
        handle.write(" " * ((1 << 20) - path.stat().st_size))
    assert [cell.source.strip() for cell in read_cells(path, max_bytes=1 << 20)] == ["x = 1"]
    with path.open("a") as handle:
        handle.write(" ")
    with pytest.raises(SubmissionError, match=rf"^work{suffix} is 1.1 MiB; the limit is 1 MiB$"):
        read_cells(path, max_bytes=1 << 20)


# -- the grader's own failures ---------------------------------------------------------------------------------

def test_a_submission_the_grader_failed_on_has_a_row_but_no_report(tmp_path, monkeypatch, capsys):
    folder = tmp_path / "subs"
    put(folder / "alice.py", CORRECT)
    (folder / "bob.py").symlink_to("alice.py")

    def grader_fails(*args):
        raise RuntimeError("the sandbox could not start")

    @contextmanager
    def threads(address, jobs):
        with ThreadPoolExecutor(jobs) as pool:
            yield pool

    monkeypatch.setattr(run, "grade_one", grader_fails)
    monkeypatch.setattr(command, "open_executor", threads)
    out = tmp_path / "results"
    assert cli.main(["batch", str(folder), "--out", str(out), "--public-only", "--quiet"]) == 3
    assert "2 submissions: 1 graded, 0 skipped, 1 not graded" in capsys.readouterr().out
    assert list(reports_in(out)) == ["bob.py.json"]  # alice has no report: a rerun retries her
    rows = rows_of(out)
    assert {name: (row["total"], row["status"], row["note"]) for name, row in rows.items()} == {
        "alice.py": ("", "not graded", "RuntimeError: the sandbox could not start"),
        "bob.py": ("0", "refused", "a link to another submission (alice.py)"),
    }
