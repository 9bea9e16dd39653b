"""nbgrader preprocessors the course configures in nbgrader_config.py."""
from __future__ import annotations

from nbgrader import utils
from nbgrader.preprocessors import DeduplicateIds


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
