"""Start the sandbox's fork server as early as possible: a command that will grade calls ``start_sandbox``
before it imports numpy and the grader, so the server boots (bubblewrap, an interpreter, numpy) on another
core meanwhile, and the probe that finds the isolation level runs in a thread. Imports only the light parts
of the sandbox."""
from __future__ import annotations

import threading

from . import warm
from .isolation import SANDBOX_FILES, detect, root_level_possible


def start_sandbox() -> None:
    """Start this process's fork server without waiting for it, where sandboxes may start warm, and the probe
    of the isolation level (``detect``) in a thread: a sandbox made meanwhile waits for its answer, and starts
    warm only when the probe finds the root level (a server started for nothing is stopped with the process)."""
    if root_level_possible() and warm.turned_on():
        warm.prestart(SANDBOX_FILES)
    threading.Thread(target=detect, name="convgrade-isolation-probe", daemon=True).start()
