"""Isolated execution of student code: a child process per submission, a fork per exercise.

Its names load on first use (PEP 562), so that the command line can start the sandbox's fork server
(``early``) before numpy and the grader are imported."""
from __future__ import annotations

import importlib

_WHERE = {"Cell": "runner", "Limits": "limits", "Sandbox": "runner", "SandboxError": "runner",
          "Isolation": "isolation", "detect": "isolation"}
__all__ = sorted(_WHERE)


def __getattr__(name: str):
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
