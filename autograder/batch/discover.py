"""Find the submissions under a folder, name the student of each, and refuse the links among them.

In an nbgrader course folder (one with ``submitted/``, or ``submitted/`` itself) the submissions are exactly
the notebooks students handed in, one per student and assignment: ``submitted/<student>/<assignment>/``'s
``<assignment>.ipynb``, or its only notebook. Nothing else there is graded: not the test files nbgrader
collects beside them, nor ``source/``, ``release/``, ``autograded/``, ``feedback/`` or the configuration.
Anywhere else every .ipynb and .py file is a submission.
"""
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
    advice: str = "Hand in the file itself."  # what the student can do about the refusal


def discover(root: Path, assignment: str | None = None) -> list[Submission]:
    """The submissions under ``root``, sorted, with absolute paths (a dask worker may run elsewhere): in an
    nbgrader course folder the handed-in notebooks (of ``assignment`` only, when given), elsewhere every
    .ipynb and .py file."""
    root = root.resolve()
    submitted = nbgrader_submitted(root)
    found = _all_files(root) if submitted is None else _handed_in(root, submitted, assignment)
    return sorted(found, key=lambda submission: submission.relative)


def nbgrader_submitted(root: Path) -> Path | None:
    """nbgrader's ``submitted`` folder when ``root`` is it or the course folder holding it, else None."""
    if root.name == NBGRADER_FOLDER:
        return root
    submitted = root / NBGRADER_FOLDER
    return submitted if submitted.is_dir() and not submitted.is_symlink() else None


def _all_files(root: Path) -> list[Submission]:
    """Every .ipynb and .py file under ``root``, recursively; hidden files and folders (.ipynb_checkpoints,
    .git) and __pycache__ are skipped.

    A symbolic link, to a file or to a folder, is a submission refused with where it points: a student could
    otherwise hand in a link to a classmate's work or to the instructor's solutions.
    """
    files, links = [], []
    for folder, subfolders, names in os.walk(root):  # does not enter linked folders
        subfolders[:] = [name for name in subfolders if not skipped(name)]
        links += [Path(folder, name) for name in subfolders if os.path.islink(Path(folder, name))]
        for name in names:
            if name.endswith(SUFFIXES) and not skipped(name):
                path = Path(folder, name)
                (links if path.is_symlink() else files).append(path)
    return _with_links(root, files, links)


def _handed_in(root: Path, submitted: Path, assignment: str | None) -> list[Submission]:
    """One notebook per ``submitted/<student>/<assignment>/`` folder; a linked folder or notebook is refused,
    and so is a folder with several notebooks and none named after the assignment."""
    files, links, ambiguous = [], [], []
    for student in _entries(submitted):
        if student.is_symlink():
            links.append(student)
            continue
        for folder in _entries(student) if student.is_dir() else []:
            if assignment and folder.name != assignment:
                continue
            if folder.is_symlink() or not folder.is_dir():
                links += [folder] if folder.is_symlink() else []
                continue
            notebooks = [path for path in _entries(folder) if path.suffix == ".ipynb"]
            expected = folder / f"{folder.name}.ipynb"
            chosen = [expected] if expected in notebooks else notebooks
            if len(chosen) > 1:
                ambiguous.append(_submission(root, folder, f"one of {len(chosen)} notebooks, none named {expected.name} "
                                             f"({', '.join(path.name for path in chosen)})",
                                             f"Keep one notebook named {expected.name}."))
            for path in chosen if len(chosen) == 1 else []:
                (links if path.is_symlink() else files).append(path)
    return _with_links(root, files, links) + ambiguous


def _with_links(root: Path, files: list[Path], links: list[Path]) -> list[Submission]:
    submissions = set(files)
    return ([_submission(root, path) for path in files]
            + [_submission(root, link, link_refusal(link, root, submissions)) for link in links])


def _entries(folder: Path) -> list[Path]:
    return sorted(folder / name for name in os.listdir(folder) if not skipped(name))


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


def _submission(root: Path, path: Path, refused: str | None = None, advice: str | None = None) -> Submission:
    relative = _relative(path, root)
    owned = owner(root.name, relative, folder=path.is_dir())
    return Submission(path, relative, *owned, refused, *([advice] if advice else []))


def _relative(path: Path, root: Path) -> PurePosixPath:
    return PurePosixPath(path.relative_to(root).as_posix())


def skipped(name: str) -> bool:
    """Hidden files and folders (.ipynb_checkpoints, .git) and __pycache__: never submissions."""
    return name.startswith(".") or name == "__pycache__"
