"""The batch's HTML pages, filled from the Jinja2 templates in autograder/templates/report with every value
HTML-escaped (student names and feedback are the students' text)."""
from __future__ import annotations

import functools

from jinja2 import Environment, PackageLoader, StrictUndefined

from autograder.reports.scores import points

TEMPLATES = "templates/report"


@functools.cache
def _environment() -> Environment:
    environment = Environment(loader=PackageLoader("autograder", TEMPLATES), autoescape=True,
                              undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    environment.filters["points"] = points
    return environment


def render_page(template: str, **context: object) -> str:
    """The template named ``template`` filled with ``context``."""
    return _environment().get_template(template).render(**context)
