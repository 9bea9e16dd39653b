"""Find the submissions under a folder, name the student of each, and refuse the links among them."""
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
    refused: str | None = None  # why it is not read at all (it is a link), for the student; None to grade it


def discover(root: Path) -> list[Submission]:
    """Every .ipynb and .py file under ``root``, recursively, sorted, with absolute paths (a dask worker may
    run elsewhere); hidden files and folders (.ipynb_checkpoints, .git) and __pycache__ are skipped.

    A symbolic link, to a file or to a folder, is a submission refused with where it points: a student could
    otherwise hand in a link to a classmate's work or to the instructor's solutions.
    """
    root, files, links = root.resolve(), [], []
    for folder, subfolders, names in os.walk(root):  # does not enter linked folders
        subfolders[:] = [name for name in subfolders if not _skipped(name)]
        links += [Path(folder, name) for name in subfolders if os.path.islink(Path(folder, name))]
        for name in names:
            if name.endswith(SUFFIXES) and not _skipped(name):
                path = Path(folder, name)
                (links if path.is_symlink() else files).append(path)
    found = [_submission(root, path) for path in files]
    submissions = set(files)
    found += [_submission(root, link, link_refusal(link, root, submissions)) for link in links]
    return sorted(found, key=lambda submission: submission.relative)


def owner(root_name: str, relative: PurePosixPath, folder: bool = False) -> tuple[str, str | None]:
    """The student a file (or a linked folder) belongs to, and its assignment when the layout says.

    In nbgrader's layout (``root`` is the course folder or its ``submitted`` folder) they are the two
    folders after ``submitted``; otherwise the student is the path under ``root`` without its suffix.
    """
    parts = (root_name, *relative.parts)
    depth = 3 if folder else 4  # submitted/<student>/<assignment>[/<notebook>]
    if len(parts) >= depth and parts[-depth] == NBGRADER_FOLDER:
        return parts[-depth + 1], parts[-depth + 2]
    if folder and len(parts) >= 2 and parts[-2] == NBGRADER_FOLDER:  # submitted/<student>
        return parts[-1], None
    return (relative if folder else relative.with_suffix("")).as_posix(), None


def link_refusal(link: Path, root: Path, submissions: set[Path]) -> str:
    """Why ``link`` is refused, saying where it points with no absolute path (students read it)."""
    target = Path(os.path.realpath(link))
    if not target.exists():
        return "a broken link"
    kind = "folder" if target.is_dir() else "file"
    if not target.is_relative_to(root):
        return f"a link to a {kind} outside the submissions folder"
    where = _relative(target, root)
    if target in submissions:
        return f"a link to another submission ({where})"
    return f"a link to a {kind} in the submissions folder ({where})"


def _submission(root: Path, path: Path, refused: str | None = None) -> Submission:
    relative = _relative(path, root)
    return Submission(path, relative, *owner(root.name, relative, folder=path.is_dir()), refused)


def _relative(path: Path, root: Path) -> PurePosixPath:
    return PurePosixPath(path.relative_to(root).as_posix())


def _skipped(name: str) -> bool:
    return name.startswith(".") or name == "__pycache__"
