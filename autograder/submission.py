"""Read a submission (.ipynb or .py) into the cells the sandbox runs."""
from __future__ import annotations

import json
import math
from pathlib import Path

from .sandbox import Cell

KEPT_CELL_MAGICS = ("%%time", "%%timeit", "%%capture")
MAX_SUBMISSION_BYTES = 20 << 20
MIB = 1 << 20


class SubmissionError(Exception):
    """The submission cannot be read at all (missing file, too large, not a notebook, wrong suffix).

    Its message names the file, not its folder: students read it in their reports.
    """


def read_cells(path: str | Path, max_bytes: int = MAX_SUBMISSION_BYTES) -> list[Cell]:
    """The code to run: a .py file as one cell, or a notebook's code cells minus nbgrader test cells.
    A file over ``max_bytes`` is refused before its content is read.

    IPython magics and shell escapes are dropped, since the sandbox runs plain Python.
    """
    path = Path(path)
    if not path.is_file():
        raise SubmissionError(f"{path.name}: no such file")
    if path.suffix == ".py":
        return [Cell(path.name, _read_text(path, max_bytes))]
    if path.suffix == ".ipynb":
        return code_cells(notebook_cells(path, max_bytes))
    raise SubmissionError(f"{path.name}: expected a .ipynb notebook or a .py file")


def notebook_cells(path: Path, max_bytes: int = MAX_SUBMISSION_BYTES) -> list[dict]:
    """The cells of a notebook file. Plain JSON for nbformat 4 (importing nbformat costs over a second);
    nbformat itself only to upgrade older notebooks."""
    try:
        notebook = json.loads(_read_text(path, max_bytes))
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
        raise SubmissionError(f"{path.name}: not a readable notebook ({type(error).__name__}: {error})") from None


def code_cells(cells: list[dict]) -> list[Cell]:
    """A notebook's code cells as the sandbox runs them: magics dropped, nbgrader's grade cells left out."""
    return [Cell(f"cell {index + 1}", source) for index, cell in enumerate(cells)
            if cell.get("cell_type") == "code" and not is_grade_cell(cell)
            and (source := plain_python(_joined(cell.get("source", "")))) is not None]


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


def is_grade_cell(cell) -> bool:
    """nbgrader's autograder test cells (grade, not solution) call the grader; they define nothing."""
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return bool(meta.get("grade")) and not meta.get("solution")


def _read_text(path: Path, max_bytes: int) -> str:
    """The file's text: refused by its size before reading, and read no further than the limit, should the
    file grow meanwhile."""
    try:
        _within_limit(path.name, path.stat().st_size, max_bytes)
        with path.open("rb") as handle:
            content = handle.read(max_bytes + 1)
        _within_limit(path.name, len(content), max_bytes)
        return content.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")  # newlines as read_text()
    except UnicodeDecodeError as error:
        raise SubmissionError(f"{path.name}: not UTF-8 text ({error.reason} at byte {error.start})") from None
    except OSError as error:
        raise SubmissionError(f"{path.name}: {error.strerror}") from None


def _within_limit(name: str, size: int, max_bytes: int) -> None:
    if size > max_bytes:  # the size rounded up: a file just over a 1 MiB limit is 1.1 MiB, not 1.0
        raise SubmissionError(f"{name} is {math.ceil(10 * size / MIB) / 10:.1f} MiB; "
                              f"the limit is {max_bytes / MIB:g} MiB")
