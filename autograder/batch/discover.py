"""Find the submissions under a folder and name the student of each."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

SUFFIXES = (".ipynb", ".py")
NBGRADER_FOLDER = "submitted"  # nbgrader's submitted/<student>/<assignment>/<notebook>.ipynb


@dataclass(frozen=True)
class Submission:
    path: Path  # the file
    relative: PurePosixPath  # its path under the batch folder: unique, it names the report
    student: str
    assignment: str | None  # nbgrader's assignment folder, None outside nbgrader's layout


def discover(root: Path) -> list[Submission]:
    """Every .ipynb and .py file under ``root``, recursively, sorted, with absolute paths (a dask worker may
    run elsewhere); hidden files and folders (.ipynb_checkpoints, .git) and __pycache__ are skipped."""
    root, found = root.resolve(), []
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = [name for name in subfolders if not _skipped(name)]
        for name in files:
            if name.endswith(SUFFIXES) and not _skipped(name):
                path = Path(folder, name)
                relative = PurePosixPath(path.relative_to(root).as_posix())
                found.append(Submission(path, relative, *owner(root.name, relative)))
    return sorted(found, key=lambda submission: submission.relative)


def owner(root_name: str, relative: PurePosixPath) -> tuple[str, str | None]:
    """The student a file belongs to, and its assignment when the layout says.

    In nbgrader's layout (``root`` is the course folder or its ``submitted`` folder) they are the two
    folders after ``submitted``; otherwise the student is the path under ``root`` without its suffix.
    """
    parts = (root_name, *relative.parts)
    if len(parts) >= 4 and parts[-4] == NBGRADER_FOLDER:
        return parts[-3], parts[-2]
    return relative.with_suffix("").as_posix(), None


def _skipped(name: str) -> bool:
    return name.startswith(".") or name == "__pycache__"
