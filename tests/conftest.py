"""Shared helpers: grade a corpus file once per test session."""
from __future__ import annotations

import functools
from pathlib import Path

import pytest
from hypothesis import settings

from autograder.course_grading import grade_path
from autograder.sandbox import Limits

SUBMISSIONS = Path(__file__).parent / "submissions"
EXAMPLES = Path(__file__).resolve().parents[1] / "autograder" / "assignments" / "conv_step_by_step" / "examples"  # course_loops.py: correct, loops
SEED = 20261125
FAST = Limits(timeout=3.0, cell_timeout=3.0)
# For submissions that never loop: on a loaded 2-core CI machine a 3 s deadline can expire on a fork, and a
# timeout there would be a verdict about the machine, not the submission.
PATIENT = Limits(timeout=30.0, cell_timeout=10.0)


# Speed is measured in benchmarks, never asserted in tests: hypothesis's per-example deadline (200 ms) is a
# timing assertion that a loaded 2-core machine fails on a first call into torch or a fork.
settings.register_profile("no_deadline", deadline=None)
settings.load_profile("no_deadline")


@functools.cache
def graded(relative: str, hidden_seed: int | None = SEED):
    """The Report for tests/submissions/<relative> (or an absolute path), graded once per session."""
    path = SUBMISSIONS / relative
    return grade_path(path, hidden_seed, FAST if "hostile" in path.parts else PATIENT)


@pytest.fixture
def grade():
    return graded
