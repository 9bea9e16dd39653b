"""Read a submission (.ipynb or .py) into the cells the sandbox runs, and find a function's code in them."""
from __future__ import annotations

import ast
import functools
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

from .sandbox.guard import binds
from .spec import Cell

KEPT_CELL_MAGICS = ("%%time", "%%timeit", "%%capture")
# Where a notebook exported as a script starts a cell: nbconvert's `# In[ ]:` / `# In[12]:`, jupytext's and
# editors' `# %%`.
CELL_MARKER = re.compile(r"#[ \t]*%%(?:[ \t]|$)|# In\[[ \d]*\]:[ \t]*$")
IPYTHON_CALL = re.compile(r"([ \t]*)get_ipython\(\)\.")  # a magic, as nbconvert exports it
DEF = re.compile(r"([ \t]*)(?:async[ \t]+)?def[ \t]+(\w+)[ \t]*\(")
PLACEHOLDER = re.compile(r"[ \t]*([^#\s=][^=#\n]*?)[ \t]*=[ \t]*None[ \t]*(?:#.*)?")  # `Z = None`, a template's blank
COMMENTED_PLACEHOLDER = re.compile(r"[ \t]*#[ \t]*([^#\s=][^=#\n]*?)[ \t]*=[ \t]*None\b.*")  # `# Z = None`
MAX_SUBMISSION_BYTES = 20 << 20
MIB = 1 << 20


class SubmissionError(Exception):
    """The submission cannot be read at all (missing file, too large, not a notebook, wrong suffix).

    Its message names the file, not its folder: students read it in their reports.
    """


def read_cells(path: str | Path, max_bytes: int = MAX_SUBMISSION_BYTES) -> list[Cell]:
    """The code to run: a .py file's cells (``script_cells``), or a notebook's code cells minus nbgrader test
    cells. A file over ``max_bytes`` is refused before its content is read.

    IPython magics and shell escapes are dropped, since the sandbox runs plain Python.
    """
    path = Path(path)
    if not path.is_file():
        raise SubmissionError(f"{path.name}: no such file")
    if path.suffix == ".py":
        return script_cells(path.name, _read_text(path, max_bytes))
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
    """A notebook's code cells as the sandbox runs them: magics dropped, nbgrader's grade cells and the
    release's figure cells (``figure_cells``) left out."""
    kept = [(index, cell, source) for index, cell in enumerate(cells)
            if cell.get("cell_type") == "code" and not is_grade_cell(cell)
            and (source := plain_python(_joined(cell.get("source", "")))) is not None]
    figures = figure_cells([(is_figure_cell(cell), source) for _, cell, source in kept])
    return [Cell(f"cell {index + 1}", source) for number, (index, _, source) in enumerate(kept)
            if number not in figures]


def is_figure_cell(cell) -> bool:
    """A locked cell that the release marks as a figure (nbgrader grade_id `figure_...`), neither graded nor a
    solution: it draws, and cannot change a grade."""
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return (bool(meta.get("locked")) and not meta.get("solution") and not meta.get("grade")
            and str(meta.get("grade_id", "")).startswith("figure_"))


def figure_cells(cells: list[tuple[bool, str]]) -> set[int]:
    """The indexes of the (is a figure, source) cells that need not run: figures whose names no other cell
    reads without setting them itself (a function that uses a figure's variable keeps that figure)."""
    if not any(figure for figure, _ in cells):
        return set()
    names = [_names(source) for _, source in cells]
    figures = {index for index, (figure, _) in enumerate(cells) if figure and names[index] is not None}
    others = [found for index, found in enumerate(names) if index not in figures and found is not None]
    needed = set().union(*(read for _, read in others)) - set().union(*(bound for bound, _ in others))
    return {index for index in figures if names[index][0].isdisjoint(needed)}


@functools.lru_cache(maxsize=1024)
def _names(source: str) -> tuple[frozenset[str], frozenset[str]] | None:
    """(the names a cell binds, the names it reads), or None when it does not parse. Cached: a release's
    locked cells are the same in every student's notebook a batch worker reads."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    read = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)}
    return frozenset(binds(tree)), frozenset(read)


def script_cells(name: str, text: str) -> list[Cell]:
    """A .py file as cells: a notebook exported as a script is cut at its cell markers (``CELL_MARKER``), so
    that one failing cell does not stop the rest, as in the notebook; nbconvert's `get_ipython()...` magic
    lines become `pass`. Every cell keeps the file's name and line numbers (it starts with blank lines). A
    file without markers is one cell, as it is."""
    lines = text.splitlines(True)
    starts = [number for number, line in enumerate(lines) if number and CELL_MARKER.match(line)]
    if not starts and not (lines and CELL_MARKER.match(lines[0])):
        return [Cell(name, text)]
    bounds = [0, *starts, len(lines)]
    return [Cell(name, "\n" * start + "".join(map(_without_ipython, lines[start:end])))
            for start, end in zip(bounds, bounds[1:])]


def _without_ipython(line: str) -> str:
    """nbconvert's `get_ipython().run_line_magic(...)` as `pass  # run_line_magic(...)`."""
    call = IPYTHON_CALL.match(line)
    return f"{call[1]}pass  # {line[call.end():]}" if call else line


@dataclass(frozen=True)
class Definition:
    """A `def name(` in a submission: the function's name, its cell (index and label), the number of its first
    line (as messages count lines) and its lines, up to the last one indented under the `def`."""

    name: str
    cell: int
    label: str
    first: int
    lines: tuple[str, ...]

    def holds(self, label: str, line: int | None) -> bool:
        """Whether (label, line) is within this function."""
        return label == self.label and line is not None and self.first <= line < self.first + len(self.lines)

    def placeholders(self, commented: bool = False) -> list[tuple[int, str]]:
        """(line number, stripped text) of the template's `x = None` blanks still in the function (or, with
        ``commented``, of blanks still commented out, `# x = None`)."""
        pattern = COMMENTED_PLACEHOLDER if commented else PLACEHOLDER
        return [(self.first + number, line.strip()) for number, line in enumerate(self.lines)
                if number and pattern.fullmatch(line)]

    def has_code(self) -> bool:
        """Whether the body holds anything but a docstring, comments, `pass`, `return` and `= None` blanks."""
        body = [line.strip() for line in self.lines[1:] if line.strip() and not line.lstrip().startswith("#")]
        if body and body[0][:3] in ('"""', "'''"):  # the docstring
            quote = body[0][:3]
            closing = (number for number, line in enumerate(body[1:], 1) if quote in line)
            body = body[(0 if body[0].count(quote) > 1 else next(closing, len(body))) + 1:]
        return any(not (line == "pass" or line == "return" or line.startswith("return ") or PLACEHOLDER.fullmatch(line))
                   for line in body)


def placeholder_names(text: str) -> set[str]:
    """The names a blank `x = None` / `(a, b) = None` / `# x = None` sets (not the indexes of `Z[i] = None`)."""
    target = (PLACEHOLDER.fullmatch(text) or COMMENTED_PLACEHOLDER.fullmatch(text))[1]
    return set(re.findall(r"[A-Za-z_]\w*", re.sub(r"\[.*?\]", "", target)))


def definitions(cells: list[Cell], name: str | None = None) -> list[Definition]:
    """Every `def name(` (every `def`, when ``name`` is None) in ``cells``, in order."""
    found = []
    for index, cell in enumerate(cells):
        lines = cell.source.splitlines()
        for number, line in enumerate(lines):
            match = DEF.match(line)
            if match and name in (None, match[2]):
                found.append(Definition(match[2], index, cell.label, number + 1,
                                        tuple(lines[number:_end(lines, number, match[1])])))
    return found


def _end(lines: list[str], first: int, indent: str) -> int:
    """The index after the last line of the function whose `def` is lines[first]: blank lines and comments
    go on, a line indented no deeper than the `def` ends it; trailing blanks and outer comments are not its."""
    depth = len(indent.expandtabs())
    end = first + 1
    while end < len(lines) and (not lines[end].strip() or lines[end].lstrip().startswith("#")
                                or _depth(lines[end]) > depth):
        end += 1
    while end > first + 1 and (not lines[end - 1].strip() or _depth(lines[end - 1]) <= depth):
        end -= 1
    return end


def _depth(line: str) -> int:
    return len(line.expandtabs()) - len(line.expandtabs().lstrip())


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
