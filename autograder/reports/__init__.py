"""Report adapters: pure ``render(report) -> str`` functions, one per output format."""
from __future__ import annotations

from collections.abc import Callable

from autograder.model import Report
from autograder.reports import gradescope, json_report, junit, text

FORMATS: dict[str, Callable[[Report], str]] = {
    "text": text.render,
    "json": json_report.render,
    "gradescope": gradescope.render,
    "junit": junit.render,
}


def render(report: Report, fmt: str) -> str:
    """Render ``report`` in the format named ``fmt`` (a key of ``FORMATS``)."""
    try:
        renderer = FORMATS[fmt]
    except KeyError:
        raise ValueError(f"unknown report format {fmt!r}; choose one of {', '.join(FORMATS)}") from None
    return renderer(report)
