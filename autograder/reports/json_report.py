"""The machine-readable report: exactly one JSON object, ``Report.to_dict()``."""
from __future__ import annotations

import json

from autograder.model import Report


def render(report: Report) -> str:
    """``report.to_dict()`` as indented JSON."""
    return json.dumps(report.to_dict(), indent=2)
