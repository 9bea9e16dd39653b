"""How an assignment is written for the grader, and the checks it makes for one grading.

An assignment package (``autograder/assignments/<name>/``) declares an ``Assignment``: exercises (a spec
plus the reference, the course's public examples and seeded hidden families), a catalogue of known
mistakes, and the module of mutants (the course's algorithm with knobs) the catalogue switches on. None of
this ships to students: the release carries the public checks it makes (``release.py``).

Hidden cases are drawn from a generator seeded by (hidden seed, exercise, family), so the same seed
always gives the same cases and no seed ships to students.
"""
from __future__ import annotations

import copy
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from itertools import combinations
from types import ModuleType

import numpy as np

from .checks import AssignmentChecks, ExerciseChecks, Helpers
from .compare import compare
from .diagnose import ErrorSigns, Evidence, Outputs, Shapes
from .spec import Case, ExerciseSpec, Expected

MAX_HELPER_WORK = 1 << 20  # array elements one helper call may make the grader touch
MAX_STACKED_WORK = 1 << 22  # array elements many calls answered at once may (beyond, they are answered alone)


@dataclass(frozen=True)
class Family:
    """A kind of hidden case: ``make(rng)`` returns the call's args."""

    name: str
    description: str
    make: Callable[[np.random.Generator], tuple]
    count: int = 1


@dataclass(frozen=True)
class Exercise:
    """A graded function as the course writes it. ``helpers`` are the functions its reference solution
    calls; while it is graded, calls to them are answered with the reference (over the sandbox's channel:
    the student's process never holds it). ``cost`` bounds the work one such call may ask of the grader."""

    name: str
    points: float
    reference: Callable
    arg_names: tuple[str, ...]
    outputs: tuple[str, ...]
    public: Callable[[], list[tuple[str, tuple]]]  # -> [(description, args)]
    families: tuple[Family, ...]
    helpers: tuple[str, ...] = ()
    cache_items: tuple[str, ...] = ()
    rtol: float = 1e-5
    atol: float = 1e-8
    cost: Callable[..., int] | None = None  # elements the reference touches for these args (None: the inputs')
    stacked: Callable[..., np.ndarray] | None = None  # the reference on many calls at once (cnn_reference.stacked)

    @cached_property
    def spec(self) -> ExerciseSpec:
        return ExerciseSpec(self.name, self.points, self.arg_names, self.outputs, self.cache_items, self.rtol,
                            self.atol, self.helpers)

    def cases(self, hidden_seed: int | None) -> list[Case]:
        """Public cases, then (with a seed) the hidden ones."""
        cases = [Case(f"public:{k + 1}", f"{text}: {describe_args(args, self.arg_names)}", args, public=True)
                 for k, (text, args) in enumerate(self.public())]
        if hidden_seed is None:
            return cases
        for family_index, family in enumerate(self.families):
            rng = np.random.default_rng([hidden_seed, zlib.crc32(self.name.encode()), family_index])
            for k in range(family.count):
                args = family.make(rng)
                cases.append(Case(f"hidden:{family.name}:{k + 1}",
                                  f"{family.description}: {describe_args(args, self.arg_names)}", args, public=False))
        return cases

    def expected(self, case: Case) -> Expected:
        """The reference's named outputs, or the reason the input must be rejected with a ValueError."""
        try:
            return Expected(outputs=self.spec.named(self.reference(*case.args)))
        except ValueError as error:
            return Expected(rejection=str(error))

    def work(self, args: tuple) -> int:
        """How many array elements a call of the reference on ``args`` touches (an upper bound)."""
        if self.cost is not None:
            return int(self.cost(*args))
        return sum(int(np.size(arg)) for arg in args if isinstance(arg, np.ndarray)) + len(args)


@dataclass(frozen=True)
class Mistake:
    """A known mistake and how to tell it. It shows as: the mutant with ``knobs`` switched on, or ``variant``
    (a wrong function with the exercise's signature), giving the student's outputs; ``shapes(args)``, the
    output shapes that give it away on a case; ``signs(args)``, what gives it away in a raised exception.
    ``message`` is one plain sentence with the fix."""

    exercise: str
    key: str
    message: str
    knobs: dict = field(default_factory=dict)
    variant: Callable | None = None
    shapes: Callable[[tuple], Shapes | None] | None = None
    signs: Callable[[tuple], ErrorSigns | None] | None = None


@dataclass(frozen=True)
class Assignment:
    """An assignment's exercises in grading order (an exercise's helpers are graded before it, so a helper's
    answers are only given out after its own cases are done), its catalogue of mistakes, its mutants (one
    function per exercise with knobs, or None when every mistake is a variant), and ``call_sources``: modules
    of readable solutions whose helper calls the release records for the student kit."""

    name: str
    exercises: tuple[Exercise, ...]
    catalogue: tuple[Mistake, ...] = ()
    mutants: ModuleType | None = None
    call_sources: tuple[ModuleType, ...] = ()

    def __post_init__(self):
        seen: set[str] = set()
        for exercise in self.exercises:
            early = [helper for helper in exercise.helpers if helper not in seen]
            if early:
                raise ValueError(f"{self.name}: {exercise.name} calls {', '.join(early)}, which must be graded before it")
            seen.add(exercise.name)
        strays = sorted({mistake.exercise for mistake in self.catalogue} - seen)
        if strays:
            raise ValueError(f"{self.name}: the catalogue names exercises it does not have: {', '.join(strays)}")

    @property
    def function_names(self) -> list[str]:
        return [exercise.name for exercise in self.exercises]

    def exercise(self, name: str) -> Exercise:
        return next(exercise for exercise in self.exercises if exercise.name == name)

    def mistakes(self, exercise: str) -> tuple[Mistake, ...]:
        return tuple(mistake for mistake in self.catalogue if mistake.exercise == exercise)

    def checks(self, hidden_seed: int | None) -> AssignmentChecks:
        """The checks of a grading: public cases, plus hidden ones drawn from ``hidden_seed`` when given."""
        return AssignmentChecks(self.name, tuple(CourseExerciseChecks(self, exercise, hidden_seed)
                                                 for exercise in self.exercises), hidden_seed is None)


class CourseExerciseChecks(ExerciseChecks):
    """An exercise's checks computed from the reference, the mutants and the catalogue. Cases are drawn once
    and each case's right outcome is computed once (judging and every piece of evidence need it)."""

    def __init__(self, assignment: Assignment, exercise: Exercise, hidden_seed: int | None):
        self.assignment, self.exercise, self.hidden_seed = assignment, exercise, hidden_seed
        self.spec = exercise.spec
        self._mistakes = assignment.mistakes(exercise.name)
        self._expected: dict[str, Expected] = {}
        self._evidence_found: dict[tuple[str, str], list[Evidence]] = {}

    @cached_property
    def _cases(self) -> list[Case]:
        """Drawn once; their inputs read-only, so that no grading can change what another one is given."""
        cases = self.exercise.cases(self.hidden_seed)
        for case in cases:
            read_only(case.args)
        return cases

    def cases(self) -> list[Case]:
        return list(self._cases)

    def expected(self, case: Case) -> Expected:
        if case.id not in self._expected:
            self._expected[case.id] = self.exercise.expected(case)
        return self._expected[case.id]

    def evidence(self, case: Case) -> list[Evidence]:
        return self._once("evidence", case, self._evidence)

    def _once(self, kind: str, case: Case, find: Callable[[Case], list[Evidence]]) -> list[Evidence]:
        """``find(case)``, computed once per case (the checks serve every grading of a process)."""
        key = (kind, case.id)
        if key not in self._evidence_found:
            self._evidence_found[key] = find(case)
        return list(self._evidence_found[key])

    def _evidence(self, case: Case) -> list[Evidence]:
        expected = self.expected(case)
        found = []
        for mistake in self._mistakes:
            shapes = mistake.shapes(case.args) if mistake.shapes else None
            if shapes is not None:
                found.append(Evidence(mistake.message, shapes))
            for wrong in (self._mutant(mistake.knobs) if mistake.knobs else None, mistake.variant):
                outputs = self._outputs(wrong, case, expected) if wrong else None
                if outputs is not None:
                    found.append(Evidence(mistake.message, outputs))
        return found

    def error_evidence(self, case: Case) -> list[Evidence]:
        return [Evidence(mistake.message, signs) for mistake in self._mistakes
                if mistake.signs and (signs := mistake.signs(case.args)) is not None]

    def pair_evidence(self, case: Case) -> list[Evidence]:
        return self._once("pairs", case, self._pair_evidence)

    def _pair_evidence(self, case: Case) -> list[Evidence]:
        expected = self.expected(case)
        found = []
        for first, second in combinations([m for m in self._mistakes if m.knobs], 2):
            if first.knobs.keys().isdisjoint(second.knobs):
                outputs = self._outputs(self._mutant({**first.knobs, **second.knobs}), case, expected)
                if outputs is not None:
                    found.append(Evidence(f"Your output matches two known mistakes together. {first.message} "
                                          f"{second.message}", outputs))
        return found

    def helpers(self) -> Helpers:
        return {name: bounded(self.assignment.exercise(name)) for name in self.exercise.helpers}

    def _mutant(self, knobs: dict) -> Callable:
        mutant = getattr(self.assignment.mutants, self.exercise.name)
        return lambda *args: mutant(*args, **knobs)

    def _outputs(self, wrong: Callable, case: Case, expected: Expected) -> Outputs | None:
        """What ``wrong`` returns on the case, when that differs from the right answer (else it shows nothing)."""
        try:
            with np.errstate(all="ignore"):
                outputs = self.spec.named(wrong(*copy.deepcopy(case.args)))
        except Exception:  # a mutant may fail where the student's code did not; then it explains nothing
            return None
        if expected.outputs is not None and compare(expected.outputs, outputs, self.spec.rtol, self.spec.atol) is None:
            return None
        return Outputs(outputs)


def read_only(value) -> None:
    """Make every array in ``value`` (in tuples, lists and dicts) read-only."""
    if isinstance(value, np.ndarray):
        value.flags.writeable = False
    elif isinstance(value, list | tuple):
        for item in value:
            read_only(item)
    elif isinstance(value, dict):
        for item in value.values():
            read_only(item)


def bounded(helper: Exercise) -> BoundedAnswer:
    """The reference of ``helper`` as the answer to a helper call, refusing inputs far larger than any case."""
    return BoundedAnswer(helper)


class BoundedAnswer:
    """``bounded``'s answer (a ``checks.StackedAnswer``): one call, or many calls of one signature at once when
    the exercise has a stacked reference."""

    def __init__(self, helper: Exercise):
        self.helper = helper

    def __call__(self, *args):
        self._work(args)
        return self.helper.reference(*args)

    def _work(self, args: tuple) -> int:
        """The work of one call; ValueError when it is far more than any case needs."""
        work = self.helper.work(args)
        if work > MAX_HELPER_WORK:
            raise ValueError(f"{self.helper.name} was called on inputs far larger than any case needs")
        return work

    def stacked(self, columns: list) -> np.ndarray:
        """The answers to N calls, their arguments in ``columns``; ValueError when one would be refused, or
        when all of them together would make the grader touch more than ``MAX_STACKED_WORK`` elements."""
        if self.helper.stacked is None:
            raise ValueError(f"{self.helper.name} has no stacked reference")
        count = len(columns[0])
        calls = [tuple(column[k] for column in columns) for k in range(count if self.helper.cost else 1)]
        work = [self._work(args) for args in calls]  # without a cost, shapes decide: one is every one
        if (sum(work) if self.helper.cost else work[0] * count) > MAX_STACKED_WORK:
            raise ValueError(f"{count} calls of {self.helper.name} are too much work to answer at once")
        return self.helper.stacked(*columns)


def describe_args(args: tuple, names: tuple[str, ...]) -> str:
    """'A_prev (2, 5, 7, 4), W (3, 3, 4, 8), pad=1': arrays by shape, a cache by what it holds, others by value."""
    parts = []
    for name, value in zip(names, args):
        if isinstance(value, np.ndarray):
            parts.append(f"{name} {value.shape}")
        elif isinstance(value, tuple) and name == "cache":
            parts.append(f"cache with A_prev {value[0].shape}, {value[-1]}")
        else:
            parts.append(f"{name}={value!r}")
    return ", ".join(parts)


def course_rng() -> np.random.RandomState:
    """The course's ``np.random.seed(1)`` stream, without touching numpy's global state."""
    return np.random.RandomState(1)


def normal(rng: np.random.Generator, *shape: int) -> np.ndarray:
    return rng.standard_normal(shape)
