"""nbgrader preprocessors the course configures in nbgrader_config.py: what nbgrader 0.9.6 gets wrong, and the
isolated grading of every grade cell (``HideGradeCells`` before execution, ``IsolatedGrades`` after)."""
from __future__ import annotations

import re

from nbclient.exceptions import DeadKernelError
from nbformat import NotebookNode
from nbformat.v4 import new_output
from nbgrader import utils
from nbgrader.preprocessors import DeduplicateIds, Execute, NbGraderPreprocessor
from traitlets import Float, Integer

from .config import find_hidden_seed
from .course_grading import grade_course_cells
from .registry import all_assignments
from .sandboxed_kernel import SandboxedKernelManager
from .reports.text import render_exercise
from .sandbox import Limits
from .submission import code_cells, is_grade_cell


class DeduplicateCells(DeduplicateIds):
    """nbgrader's DeduplicateIds, except that a duplicated cell loses its nbgrader metadata entirely.

    nbgrader 0.9.6 leaves ``nbgrader: {}`` on the copy, which OverwriteCells then fails on (a KeyError on
    'grade_id', or "old version of the nbgrader metadata"), so a student who duplicated a cell got no
    grade at all. Without the key the copy is an ordinary cell; the kept one is graded as usual.
    """

    def preprocess_cell(self, cell, resources, cell_index):
        tracked = utils.is_grade(cell) or utils.is_solution(cell) or utils.is_locked(cell)
        if tracked and cell.metadata.nbgrader["grade_id"] in self.grade_ids:
            self.log.warning("Cell with id '%s' exists multiple times; the copy is graded as an ordinary cell",
                             cell.metadata.nbgrader["grade_id"])
            del cell.metadata["nbgrader"]
            return cell, resources
        return super().preprocess_cell(cell, resources, cell_index)


class ResilientExecute(Execute):
    """nbgrader's Execute, except that the kernel runs in the sandbox and a cell that kills it costs only
    that cell.

    The kernel is a ``SandboxedKernelManager``'s: the student's code cannot reach the gradebook, the course
    folder or other students' files, and nothing it starts outlives it. nbgrader gives up on the whole
    notebook when the kernel dies (no autograded notebook, score 0). Here the cell that was running gets an
    error output and the notebook runs again from the top in a fresh kernel without it, so every other cell
    is still executed and graded (as ``convgrade grade`` does).
    """

    max_kernel_deaths = Integer(5, help="Give up after this many cells have killed the kernel.").tag(config=True)

    def __init__(self, **kwargs):
        kwargs.setdefault("kernel_manager_class", SandboxedKernelManager)  # nbgrader's Execute sets its own
        super().__init__(**kwargs)

    def preprocess(self, nb, resources=None, km=None):
        self._fatal: dict[int, NotebookNode] = {}
        while True:
            try:
                return super().preprocess(nb, resources, km)
            except DeadKernelError:
                if len(self._fatal) >= self.max_kernel_deaths:
                    raise
                self.log.warning("The kernel died in cell %d; running the notebook again without it", self._running)
                self._fatal[self._running] = NotebookNode(
                    output_type="error", ename="DeadKernelError",
                    evalue="the kernel died while running this cell, so the notebook was run again without it",
                    traceback=["DeadKernelError: the kernel died while running this cell"])

    def preprocess_cell(self, cell, resources, index):
        if index in self._fatal:
            cell.outputs = [self._fatal[index]]
            return cell, self.resources
        self._running = index
        return super().preprocess_cell(cell, resources, index)


class HideGradeCells(NbGraderPreprocessor):
    """Before execution: every grade cell is emptied, so the student's kernel never runs the grader and never
    holds the hidden seed (not in a variable, not in ``In``/``_ih``). ``IsolatedGrades`` puts them back.

    nbgrader grades by running the grade cells in the kernel that has just run the student's code, where
    that code can replace the grader, numpy or the printed result. Here the kernel only runs the student's
    cells (for their outputs and figures); the grade comes from convgrade's sandbox.
    """

    def preprocess(self, nb, resources):
        resources[_HIDDEN] = {}
        for index, cell in enumerate(nb.cells):
            if _grading_cell(cell):
                resources[_HIDDEN][index] = cell.source
                cell.source = ""
        return nb, resources


class IsolatedGrades(NbGraderPreprocessor):
    """After execution: grade the notebook's own cells in convgrade's sandbox, exactly as ``convgrade grade``
    grades the file (with the instructor's hidden seed, pinned to the assignment being autograded), put each
    grade cell back and give it the verdict as its outputs: the feedback text and the partial score, which
    nbgrader's SaveAutoGrades records. Nothing the student's code did in the kernel reaches a score.
    """

    timeout = Float(Limits.timeout, help="Seconds per exercise in the sandbox.").tag(config=True)

    def preprocess(self, nb, resources):
        for index, source in resources.pop(_HIDDEN, {}).items():
            nb.cells[index].source = source
        name = resources.get("nbgrader", {}).get("assignment")
        report = grade_course_cells(code_cells(nb.cells), resources.get("unique_key") or "notebook", find_hidden_seed(),
                                    Limits(timeout=self.timeout), all_assignments().get(name))
        results = {exercise.name: exercise for exercise in report.exercises}
        for cell in nb.cells:
            if not _grading_cell(cell):
                continue
            graded = _GRADED.search(cell.source)
            result = results.get(graded.group(1)) if graded else None
            text, score = ((render_exercise(result), result.score) if result
                           else ("convgrade: this grade cell grades nothing the grader knows", 0.0))
            cell.outputs = [new_output("stream", name="stdout", text=text + "\n"),
                            new_output("execute_result", data={"text/plain": repr(score)}, execution_count=None)]
        return nb, resources


def _grading_cell(cell) -> bool:
    """A locked grade cell that calls the grader (not a student's answer cell that is graded by hand)."""
    return cell.cell_type == "code" and is_grade_cell(cell)


_HIDDEN = "convgrade_grade_cells"
_GRADED = re.compile(r"""grade_cell\(\s*["'](\w+)["']""")
