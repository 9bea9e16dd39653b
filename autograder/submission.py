"""Read a submission (.ipynb or .py) into the cells the sandbox runs."""
from __future__ import annotations

import json
from pathlib import Path

from .sandbox import Cell

KEPT_CELL_MAGICS = ("%%time", "%%timeit", "%%capture")


class SubmissionError(Exception):
    """The submission cannot be read at all (missing file, not a notebook, wrong suffix)."""


def read_cells(path: str | Path) -> list[Cell]:
    """The code to run: a .py file as one cell, or a notebook's code cells minus nbgrader test cells.

    IPython magics and shell escapes are dropped, since the sandbox runs plain Python.
    """
    path = Path(path)
    if not path.is_file():
        raise SubmissionError(f"{path}: no such file")
    if path.suffix == ".py":
        return [Cell(path.name, _read_text(path))]
    if path.suffix == ".ipynb":
        return [Cell(f"cell {index + 1}", source)
                for index, cell in enumerate(notebook_cells(path))
                if cell.get("cell_type") == "code" and not _is_test_cell(cell)
                and (source := plain_python(_joined(cell.get("source", "")))) is not None]
    raise SubmissionError(f"{path}: expected a .ipynb notebook or a .py file")


def notebook_cells(path: Path) -> list[dict]:
    """The cells of a notebook file. Plain JSON for nbformat 4 (importing nbformat costs over a second);
    nbformat itself only to upgrade older notebooks."""
    try:
        notebook = json.loads(_read_text(path))
        if not isinstance(notebook, dict):
            raise ValueError("the file holds JSON but not a notebook")
        if notebook.get("nbformat", 0) < 4:
            import nbformat

            notebook = nbformat.reads(json.dumps(notebook), as_version=4)
        cells = notebook["cells"]
        if not isinstance(cells, list) or not all(isinstance(cell, dict) for cell in cells):
            raise ValueError("its 'cells' is not a list of cells")
        return cells
    except (ValueError, KeyError, TypeError) as error:
        raise SubmissionError(f"{path}: not a readable notebook ({type(error).__name__}: {error})") from None


def _joined(source) -> str:
    return "".join(source) if isinstance(source, list) else str(source)


def plain_python(source: str) -> str | None:
    """The cell without magics (lines starting with % or !, kept as `pass`); None for a non-Python cell magic."""
    lines = source.splitlines()
    if lines and lines[0].startswith("%%"):
        if not lines[0].startswith(KEPT_CELL_MAGICS):
            return None
        lines = lines[1:]
    return "\n".join(_without_magic(line) for line in lines)


def _without_magic(line: str) -> str:
    stripped = line.lstrip()
    if stripped.startswith(("%", "!")):
        return line[: len(line) - len(stripped)] + "pass"
    return line


def _is_test_cell(cell) -> bool:
    """nbgrader's autograder test cells (grade, not solution) call the grader; they define nothing."""
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return bool(meta.get("grade")) and not meta.get("solution")


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise SubmissionError(f"{path}: not UTF-8 text ({error.reason} at byte {error.start})") from None
    except OSError as error:
        raise SubmissionError(f"{path}: {error.strerror}") from None
