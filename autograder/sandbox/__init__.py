"""Isolated execution of student code: a child process per submission, a fork per exercise."""
from .runner import Cell, ExerciseRun, Limits, LoadResult, Sandbox, SandboxError

__all__ = ["Cell", "ExerciseRun", "Limits", "LoadResult", "Sandbox", "SandboxError"]
