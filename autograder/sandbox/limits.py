"""The sandbox's limits, as data (light to import: the command line reads its defaults before anything else)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """Per-exercise wall-clock timeout (s), loading limits, memory above the child's baseline (bytes),
    output caps, processes (at the root level), restarts of the child after code that kills or hangs it."""

    timeout: float = 5.0
    cell_timeout: float = 10.0
    load_timeout: float = 60.0
    restarts: int = 5
    memory: int = 1 << 30
    output_bytes: int = 1 << 20
    result_bytes: int = 64 << 20
    processes: int = 64
