"""Per-student feedback pages, for a course that hands feedback back outside nbgrader.

RESULTS_DIR/feedback/<path of the submission under DIR>.html is one self-contained page holding exactly the
text report (``convgrade grade``'s, without colour), then per exercise to fix the picture of where its first
pictured public case is wrong, drawn as three HTML tables of coloured cells (``pictures.heatmap``, template
heatmap.html.j2: milliseconds a page, where ``pictures.png``'s matplotlib figure took about 0.3 s a picture;
the PNG is still what a notebook's grade cell shows): of a hidden case it shows what that report shows, never
the case's inputs. A name too long for the file system is shortened like a report's.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from autograder import pictures
from autograder.model import Report
from autograder.reports import text

from ..files import write_atomically
from .pages import render_page
from .results import Entry, report_name

FEEDBACK = "feedback"
PAGE_SUFFIX = ".html"


def page_path(submission: str) -> PurePosixPath:
    """Where the page of ``submission`` (a path under the batch folder, as its report names it) lives,
    relative to the results folder; ValueError for a path that would lead out of the feedback folder."""
    relative = PurePosixPath(submission)
    if relative.is_absolute() or ".." in relative.parts or not relative.name:
        raise ValueError(f"not a path under the submissions folder: {submission!r}")
    return PurePosixPath(FEEDBACK, relative.parent, report_name(relative.name, PAGE_SUFFIX))


@dataclass(frozen=True)
class Figure:
    """A picture as the page shows it: what it is of, and its cells."""

    exercise: str
    caption: str  # "Z[0, :, :, 3] (rows 0-4, columns 0-6) of public case ..."
    heatmap: pictures.Heatmap


def figures(report: Report) -> list[Figure]:
    """The picture of each exercise that has one (a failing public case's), in report order."""
    shown = []
    for exercise in report.exercises:
        case = text.pictured_case(exercise)
        if case is not None:
            shown.append(Figure(exercise.name, text.picture_title(case), pictures.heatmap(case.picture)))
    return shown


def render(student: str, report: Report) -> str:
    """The feedback page of one submission."""
    return render_page("feedback.html.j2", student=student, report=report, text=text.render(report),
                       figures=figures(report))


def write_pages(results_dir: Path, entries: list[Entry]) -> None:
    """Write (atomically, readable as the umask allows) the page of every (student, report)."""
    for student, report in entries:
        write_atomically(results_dir / page_path(report.submission), render(student, report))
