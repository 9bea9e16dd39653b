"""Isolated execution of student code: a child process per submission, a fork per exercise."""
from .isolation import Isolation, detect
from .runner import Cell, Limits, Sandbox, SandboxError

__all__ = ["Cell", "Isolation", "Limits", "Sandbox", "SandboxError", "detect"]
