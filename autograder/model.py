"""Grading results as plain data: what every report adapter (text, JSON, Gradescope, JUnit) renders."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

STATUSES = ("passed", "failed", "error", "timeout", "missing")


@dataclass
class CaseResult:
    id: str  # "public:1", "hidden:stride3_leftover:1"
    description: str  # what the case is, with its input shapes
    public: bool
    status: str  # "passed", "failed" (wrong answer), "error" (raised), "timeout", "missing"
    message: str = ""  # the comparator's text or the error, empty when passed
    diagnosis: str = ""  # the known mistake that reproduces the student's output, if any

    @property
    def passed(self) -> bool:
        return self.status == "passed"


@dataclass
class ExerciseResult:
    name: str  # the graded function's name
    score: float
    max_score: float
    status: str  # one of STATUSES
    cases: list[CaseResult] = field(default_factory=list)
    feedback: list[str] = field(default_factory=list)  # plain sentences for the student, most useful first
    output: str = ""  # the start of what the student's function printed


@dataclass
class Report:
    submission: str
    exercises: list[ExerciseResult]
    errors: list[str] = field(default_factory=list)  # problems loading the submission (syntax error, failing cell)
    public_only: bool = False
    assignment: str = "conv_step_by_step"
    isolation: dict | None = None  # Isolation.to_dict(): the level and what held while this was graded

    @property
    def score(self) -> float:
        return round(sum(exercise.score for exercise in self.exercises), 4)

    @property
    def max_score(self) -> float:
        return sum(exercise.max_score for exercise in self.exercises)

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
                    "cases": [asdict(case) for case in e.cases],
                    "feedback": e.feedback,
                }
                for e in self.exercises
            ],
            "errors": self.errors,
            "public_only": self.public_only,
            "isolation": self.isolation,
        }
