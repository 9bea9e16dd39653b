"""Isolated execution of student code: a child process per submission, a fork per exercise."""
from .isolation import Isolation, detect
from .runner import Cell, ExerciseRun, Limits, LoadResult, Sandbox, SandboxError

__all__ = ["Cell", "ExerciseRun", "Isolation", "Limits", "LoadResult", "Sandbox", "SandboxError", "detect"]
