"""Start the sandbox's fork server as early as possible: a command that will grade calls ``start_sandbox``
before it imports numpy and the grader, so the server boots (bubblewrap, an interpreter, numpy) on another
core meanwhile. Imports only the light parts of the sandbox."""
from __future__ import annotations

from . import warm
from .isolation import SANDBOX_FILES, detect


def start_sandbox() -> None:
    """Start this process's fork server without waiting for it, where sandboxes start warm."""
    if warm.wanted(detect()):
        warm.prestart(SANDBOX_FILES)
