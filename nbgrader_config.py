"""nbgrader configuration for the convgrade course. Run nbgrader commands from this folder.

Sources live in solutions/<assignment>/ and releases in assignments/<assignment>/, so
`nbgrader generate_assignment conv_step_by_step` regenerates the committed student release.
"""
import os

from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbconvert.preprocessors import ClearMetadataPreprocessor
from nbgrader.preprocessors import (AssignLatePenalties, CheckCellMetadata, ClearHiddenTests, ClearOutput, GetGrades,
                                    IgnorePattern, LimitOutput, OverwriteCells, OverwriteKernelspec, SaveAutoGrades)

from autograder.nbgrader_preprocessors import DeduplicateCells, HideGradeCells, IsolatedGrades, ResilientExecute

c = get_config()  # noqa: F821 -- provided by nbgrader when it loads this file

c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.course_id = "convgrade"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "assignments"

c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}

# Autograding: every notebook runs in a fresh python3 kernel. A cell that runs past the timeout is
# interrupted and the notebook goes on, so the other cells still earn their points; the grade cells
# also give each exercise its own 5 s limit. Grade cells a student deleted are put back, and a cell a
# student duplicated no longer stops the whole notebook from being graded (see DeduplicateCells).
c.Execute.timeout = 120
c.Execute.interrupt_on_timeout = True
c.OverwriteCells.add_missing_cells = True
c.Autograde.sanitize_preprocessors = [ClearOutput, DeduplicateCells, OverwriteKernelspec, OverwriteCells,
                                      CheckCellMetadata]
# The kernel runs in convgrade's sandbox (SandboxedKernelManager, set by ResilientExecute): the student's
# code cannot reach the gradebook, this folder or other students, and nothing it starts outlives it.
# A cell that kills the kernel (os._exit, a segfault) costs only that cell: see ResilientExecute.
# Every score comes from convgrade's sandbox, not from the student's kernel: the kernel runs the student's
# cells with the grade cells emptied (HideGradeCells: no grader, no hidden seed in it), then IsolatedGrades
# grades the notebook's cells as `convgrade grade` does and writes each grade cell's verdict and score.
c.Autograde.autograde_preprocessors = [HideGradeCells, ResilientExecute, IsolatedGrades, IgnorePattern,
                                       ClearMetadataPreprocessor, LimitOutput, SaveAutoGrades, AssignLatePenalties,
                                       CheckCellMetadata]

# Feedback shows each grade cell's output but not the hidden-test region (the seed of the hidden cases).
c.GenerateFeedback.preprocessors = [GetGrades, ClearHiddenTests, CSSHTMLHeaderPreprocessor]
