"""How scores are written for people: ``72.5``, ``100``, and the report's headline."""
from __future__ import annotations

from autograder.model import Report


def points(value: float) -> str:
    """``value`` rounded to two decimals, without trailing zeros or a trailing point."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def headline(report: Report) -> str:
    """``convgrade: <submission>: <score>/<max> points``, noting when only public cases ran."""
    line = f"convgrade: {report.submission}: {points(report.score)}/{points(report.max_score)} points"
    return line + " (public cases only)" if report.public_only else line
