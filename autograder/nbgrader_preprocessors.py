"""nbgrader preprocessors the course configures in nbgrader_config.py: what nbgrader 0.9.6 gets wrong."""
from __future__ import annotations

from nbclient.exceptions import DeadKernelError
from nbformat import NotebookNode
from nbgrader import utils
from nbgrader.preprocessors import DeduplicateIds, Execute
from traitlets import Integer


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
    """nbgrader's Execute, except that a cell that kills the kernel costs only that cell.

    nbgrader gives up on the whole notebook when the kernel dies (no autograded notebook, score 0). Here
    the cell that was running gets an error output and the notebook runs again from the top in a fresh
    kernel without it, so every other cell is still executed and graded (as ``convgrade grade`` does).
    """

    max_kernel_deaths = Integer(5, help="Give up after this many cells have killed the kernel.").tag(config=True)

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
