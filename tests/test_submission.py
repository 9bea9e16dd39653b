"""Reading notebooks and .py files into cells; grading a notebook."""
import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from autograder.course_grading import grade_path
from autograder.submission import plain_python, read_cells
from conftest import EXAMPLES, PATIENT


def write_notebook(path, cells):
    nbformat.write(new_notebook(cells=cells), path)
    return path


def test_magics_become_pass_and_non_python_cell_magics_are_dropped():
    assert plain_python("%matplotlib inline\nx = 1\n  !ls") == "pass\nx = 1\n  pass"
    assert plain_python("%%time\nx = 1") == "x = 1"
    assert plain_python("%%bash\nls") is None


def test_notebook_code_cells_are_read_without_markdown_or_nbgrader_test_cells(tmp_path):
    test_cell = new_code_cell("from autograder import anything", metadata={"nbgrader": {"grade": True, "solution": False}})
    solution = new_code_cell("def f(): pass", metadata={"nbgrader": {"grade": False, "solution": True}})
    path = write_notebook(tmp_path / "n.ipynb", [new_markdown_cell("# title"), new_code_cell("%matplotlib inline"),
                                                  solution, test_cell, new_code_cell("%%bash\necho")])
    cells = read_cells(path)
    assert [(c.label, c.source) for c in cells] == [("cell 2", "pass"), ("cell 3", "def f(): pass")]


def test_a_notebook_with_a_failing_cell_and_plots_still_earns_its_points(tmp_path):
    solution = (EXAMPLES / "course_loops.py").read_text()
    head, tail = solution.split("\ndef conv_backward(", 1)
    path = write_notebook(tmp_path / "student.ipynb", [
        new_code_cell("import numpy as np\nimport matplotlib.pyplot as plt\n%matplotlib inline"),
        new_code_cell(head),
        new_code_cell("plt.imshow(np.eye(3)); plt.show()"),
        new_code_cell("undefined_name + 1"),
        new_code_cell("def conv_backward(" + tail),
    ])
    report = grade_path(path, None, PATIENT)
    assert report.score == 100
    assert report.errors == ["NameError: name 'undefined_name' is not defined (cell 4, line 1: `undefined_name + 1`)"]
