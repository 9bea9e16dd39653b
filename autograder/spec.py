"""What judging needs to know about an exercise and its cases, and nothing that computes an answer.

These types cross every seam: the course side (``course.py``) builds them from a reference, the
student kit reads them from the release's public checks (``public_checks.py``), and ``judging.py``
turns a case's ``CaseOutcome`` into a verdict the same way for both.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

CaseStatus = Literal["passed", "failed", "error", "timeout", "missing"]
RunStatus = Literal["exited", "signal", "timeout", "protocol", "missing", "lost"]


@dataclass(frozen=True)
class Cell:
    """A unit of submitted code: its label in messages ("cell 7", "solution.py") and its source."""

    label: str
    source: str


@dataclass(frozen=True)
class ExerciseSpec:
    """A graded function's contract: its name, points, argument and output names, cache layout, tolerances,
    and the earlier exercises (``helpers``) it may call, which the grader answers while it is graded."""

    name: str
    points: float
    arg_names: tuple[str, ...]
    outputs: tuple[str, ...]  # names of the returned values, in order
    cache_items: tuple[str, ...] = ()  # names of the items of a returned "cache" tuple
    rtol: float = 1e-5
    atol: float = 1e-8
    helpers: tuple[str, ...] = ()

    def named(self, value) -> dict:
        """The returned value as {output name: value}; raises ValueError when it has the wrong form."""
        if len(self.outputs) == 1:
            return {self.outputs[0]: value}
        if not isinstance(value, tuple | list):
            raise ValueError(f"expected {len(self.outputs)} returned values ({', '.join(self.outputs)}), "
                             f"got one {type(value).__name__}")
        if len(value) != len(self.outputs):
            raise ValueError(f"expected {len(self.outputs)} returned values ({', '.join(self.outputs)}), got {len(value)}")
        named = dict(zip(self.outputs, value))
        if "cache" in named and self.cache_items:
            cache = named["cache"]
            if not isinstance(cache, tuple | list) or len(cache) != len(self.cache_items):
                raise ValueError(f"cache must be the tuple ({', '.join(self.cache_items)}), got {type(cache).__name__}"
                                 + (f" of {len(cache)} items" if isinstance(cache, tuple | list) else ""))
            named["cache"] = dict(zip(self.cache_items, cache))
        return named


@dataclass(frozen=True)
class Case:
    id: str  # "public:1", "hidden:stride3_leftover:1"
    description: str  # what the case is, with its input shapes
    args: tuple
    public: bool


@dataclass(frozen=True)
class Expected:
    """The right outcome of a case: these named outputs, or (``rejection``) a ValueError with that reason."""

    outputs: dict | None = None
    rejection: str | None = None


@dataclass(frozen=True)
class Where:
    """Where student code raised: a cell label ("cell 7", "solution.py", "your notebook"), line and its text."""

    label: str
    line: int | None = None
    text: str = ""


@dataclass(frozen=True)
class ErrorInfo:
    """An exception raised by student code, as data."""

    type: str
    message: str
    where: Where | None = None


@dataclass(frozen=True)
class CaseOutcome:
    """What one call of the student's function did: returned ``value`` or raised ``error``; ``args_after``
    are its arguments after the call (None when they could not be read back)."""

    value: object = None
    error: ErrorInfo | None = None
    args_after: tuple | None = None


@dataclass
class ExerciseRun:
    """What happened when one exercise ran: per-case outcomes and how the process ended."""

    status: RunStatus
    cases: dict[str, CaseOutcome] = field(default_factory=dict)  # case id -> outcome
    detail: str = ""
    output: str = ""  # the start of what the student's code printed


@dataclass
class LoadResult:
    """What loading a submission found: the functions it defines, the cells that failed (by index in
    ``cells``), why loading stopped early (if it did), the modules the grader does not have that the cells
    imported (stand-ins: using one fails) and the statements skipped because they used one."""

    functions: set[str] = field(default_factory=set)
    failed: dict[int, ErrorInfo] = field(default_factory=dict)
    stopped: ErrorInfo | None = None
    cells: list[Cell] = field(default_factory=list)
    stand_ins: list[str] = field(default_factory=list)
    skipped: list[Where] = field(default_factory=list)

    @property
    def errors(self) -> list[ErrorInfo]:
        """The failed cells' errors in cell order, then why loading stopped."""
        return [self.failed[index] for index in sorted(self.failed)] + ([self.stopped] if self.stopped else [])
