"""Grading results as plain data: what every report adapter (text, JSON, Gradescope, JUnit) renders."""
from __future__ import annotations

import platform
from dataclasses import dataclass, field
from typing import get_args

from . import __version__
from .pictures import Picture
from .spec import CaseStatus

STATUSES: tuple[str, ...] = get_args(CaseStatus)


@dataclass
class CaseResult:
    id: str  # "public:1", "hidden:stride3_leftover:1"
    description: str  # what the case is, with its input shapes
    public: bool
    status: CaseStatus  # "failed": a wrong answer, "error": it raised
    message: str = ""  # the comparator's text or the error, empty when passed
    diagnosis: str = ""  # the known mistake that reproduces the student's output, if any
    picture: Picture | None = None  # of a public case's wrong array output: where it is wrong

    def __post_init__(self) -> None:
        if isinstance(self.picture, dict):  # CaseResult(**case) of a case from to_dict
            self.picture = Picture.from_dict(self.picture)

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    def to_dict(self) -> dict:
        """The case as JSON data; "picture" is null or ``Picture.to_dict()``."""
        return {"id": self.id, "description": self.description, "public": self.public, "status": self.status,
                "message": self.message, "diagnosis": self.diagnosis,
                "picture": self.picture.to_dict() if self.picture else None}

    @classmethod
    def from_dict(cls, data: dict) -> CaseResult:
        """The inverse of ``to_dict``; a case written before "picture" existed has None. Raises ValueError when
        ``data`` is not a case."""
        picture = _field(data, "picture", (dict, type(None)), None)
        return cls(_field(data, "id", str), _field(data, "description", str), _field(data, "public", bool),
                   _status(data), _field(data, "message", str), _field(data, "diagnosis", str),
                   Picture.from_dict(picture) if picture is not None else None)


@dataclass
class ExerciseResult:
    name: str  # the graded function's name
    score: float
    max_score: float
    status: CaseStatus
    cases: list[CaseResult] = field(default_factory=list)
    feedback: list[str] = field(default_factory=list)  # plain sentences for the student, most useful first
    output: str = ""  # the start of what the student's function printed

    @classmethod
    def from_dict(cls, data: dict) -> ExerciseResult:
        """An exercise as ``Report.to_dict`` wrote it (without ``output``, which it leaves out); raises
        ValueError when ``data`` is not one."""
        return cls(_field(data, "name", str), _field(data, "score", _NUMBER), _field(data, "max_score", _NUMBER),
                   _status(data), _each(CaseResult.from_dict, data, "cases"), _strings(data, "feedback"))


def versions_in_use() -> dict[str, str]:
    """Python, numpy and convgrade (or the student kit) as this process has them: the child runs the same."""
    import numpy

    return {"python": platform.python_version(), "numpy": numpy.__version__, "convgrade": __version__}


@dataclass
class Report:
    submission: str
    exercises: list[ExerciseResult]
    errors: list[str] = field(default_factory=list)  # problems loading the submission (syntax error, failing cell)
    public_only: bool = False
    assignment: str = ""
    isolation: dict | None = None  # Isolation.to_dict(): the level and what held while this was graded
    versions: dict[str, str] = field(default_factory=versions_in_use)  # what graded it
    notes: list[str] = field(default_factory=list)  # what the grader did for the student (skipped imports), not errors

    @property
    def score(self) -> float:
        return round(sum(exercise.score for exercise in self.exercises), 4)

    @property
    def max_score(self) -> float:
        return sum(exercise.max_score for exercise in self.exercises)

    @classmethod
    def from_dict(cls, data: dict) -> Report:
        """The inverse of ``to_dict``; a report written before "assignment", "isolation", "versions" or "notes"
        existed gets "", None, {} and []. Raises ValueError saying what is missing, of the wrong type, or (a total)
        not what the exercises add up to."""
        report = cls(_field(data, "submission", str), _each(ExerciseResult.from_dict, data, "exercises"),
                     _strings(data, "errors"), _field(data, "public_only", bool), _field(data, "assignment", str, ""),
                     _field(data, "isolation", (dict, type(None)), None), _field(data, "versions", dict, {}),
                     _strings(data, "notes") if "notes" in data else [])
        for key, total in (("score", report.score), ("max_score", report.max_score)):
            if _field(data, key, _NUMBER) != total:
                raise ValueError(f"{key!r} is {data[key]!r}, but the exercises add up to {total!r}")
        return report

    def to_dict(self) -> dict:
        """The JSON contract of ``convgrade grade --format json``."""
        return {
            "submission": self.submission,
            "assignment": self.assignment,
            "score": self.score,
            "max_score": self.max_score,
            "exercises": [
                {
                    "name": e.name,
                    "score": e.score,
                    "max_score": e.max_score,
                    "status": e.status,
                    "cases": [case.to_dict() for case in e.cases],
                    "feedback": e.feedback,
                }
                for e in self.exercises
            ],
            "errors": self.errors,
            "notes": self.notes,
            "public_only": self.public_only,
            "isolation": self.isolation,
            "versions": self.versions,
        }


_REQUIRED = object()
_NUMBER = (int, float)


def _field(data: dict, key: str, kind: type | tuple[type, ...], default=_REQUIRED):
    """``data[key]`` when it is a ``kind`` (a bool is no number), or ``default`` when it is absent and there is
    one; raises ValueError otherwise."""
    if not isinstance(data, dict):
        raise ValueError(f"expected an object, got {type(data).__name__}")
    if key not in data:
        if default is _REQUIRED:
            raise ValueError(f"missing {key!r}")
        return default
    value, kinds = data[key], kind if isinstance(kind, tuple) else (kind,)
    if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
        names = " or ".join("null" if k is type(None) else k.__name__ for k in kinds)
        raise ValueError(f"{key!r} must be {names}, got {type(value).__name__}")
    return value


def _status(data: dict) -> str:
    """``data["status"]``, one of STATUSES."""
    status = _field(data, "status", str)
    if status not in STATUSES:
        raise ValueError(f"'status' must be one of {', '.join(STATUSES)}, got {status!r}")
    return status


def _strings(data: dict, key: str) -> list[str]:
    """``data[key]``, a list of strings."""
    values = _field(data, key, list)
    if not all(isinstance(value, str) for value in values):
        raise ValueError(f"{key!r} must be a list of strings")
    return list(values)


def _each(build, data: dict, key: str) -> list:
    """``build`` of each item of the list ``data[key]``; a ValueError says which item was malformed."""
    built = []
    for index, item in enumerate(_field(data, key, list)):
        try:
            built.append(build(item))
        except ValueError as error:
            raise ValueError(f"{key}[{index}]: {error}") from None
    return built
