"""Where the instructor's hidden-case seed comes from.

The seed lives only in ``solutions/grader.toml`` (never in the student release). ``convgrade grade`` run
inside the repository finds it by walking up from the working directory; CI or a Gradescope image can
set CONVGRADE_HIDDEN_SEED instead. Without either, only public cases are graded.
"""
from __future__ import annotations

import os
import tomllib
from pathlib import Path

SEED_FILE = Path("solutions", "grader.toml")
SEED_VARIABLE = "CONVGRADE_HIDDEN_SEED"


def find_hidden_seed(start: Path | None = None) -> int | None:
    """The hidden seed from the environment or the nearest solutions/grader.toml, else None."""
    if os.environ.get(SEED_VARIABLE):
        return int(os.environ[SEED_VARIABLE])
    start = (start or Path.cwd()).resolve()
    for folder in (start, *start.parents):
        candidate = folder / SEED_FILE
        if candidate.is_file():
            with open(candidate, "rb") as handle:
                return int(tomllib.load(handle)["hidden_seed"])
    return None
