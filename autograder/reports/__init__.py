"""Report adapters: pure ``render(report) -> str`` functions, one module per output format, imported when
first used (JUnit's XML support and its character filter alone took about 10 ms of every command's start)."""
from __future__ import annotations

import importlib

from autograder.model import Report

FORMATS: dict[str, str] = {  # format name -> the module of autograder.reports that renders it
    "text": "text",
    "json": "json_report",
    "gradescope": "gradescope",
    "junit": "junit",
}


def render(report: Report, fmt: str) -> str:
    """Render ``report`` in the format named ``fmt`` (a key of ``FORMATS``)."""
    try:
        module = FORMATS[fmt]
    except KeyError:
        raise ValueError(f"unknown report format {fmt!r}; choose one of {', '.join(FORMATS)}") from None
    return importlib.import_module(f"{__name__}.{module}").render(report)
