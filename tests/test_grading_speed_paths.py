"""What keeps grading cheap without changing a verdict: plotting draws nothing in the sandbox, the release's
figure cells do not run, and a batch with nothing new to report neither reads reports nor draws charts."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
from nbformat.v4 import new_code_cell, new_notebook

from autograder.batch.command import INPUTS_MARK, written_key
from autograder.sandbox import Cell, Sandbox
from autograder.submission import code_cells, figure_cells, read_cells
from conftest import EXAMPLES, PATIENT

REPO = Path(__file__).resolve().parents[1]
RELEASE = REPO / "assignments" / "conv_step_by_step" / "conv_step_by_step.ipynb"
SOLVED = REPO / "solutions" / "conv_step_by_step" / "conv_step_by_step.ipynb"


# -- matplotlib in the sandbox --------------------------------------------------------------------------------
def test_plotting_calls_draw_nothing_and_a_course_era_notebook_loads_without_notes():
    cells = [Cell("cell 1", "import numpy as np\nimport matplotlib\nmatplotlib.use('Agg')\n"
                            "import matplotlib.pyplot as plt\nfrom matplotlib import cm\nfrom mpl_toolkits.mplot3d import Axes3D\n"
                            "plt.rcParams['figure.figsize'] = (5.0, 4.0)\nimport sys\n"
                            "real = 'matplotlib.figure' in sys.modules and hasattr(sys.modules['matplotlib'], '__file__')"),
             Cell("cell 2", "x = np.arange(6.0).reshape(2, 3)\nfig, axarr = plt.subplots(1, 2)\n"
                            "axarr[0].set_title('x')\naxarr[0].imshow(x, cmap=cm.gray)\n"
                            "for ax in axarr.flat:\n    ax.axis('off')\n"
                            "with plt.style.context('ggplot'):\n    plt.plot(x[0], label=f'{x.shape}')\n"
                            "plt.show()\ndel plt.rcParams['image.cmap']\n"
                            "fig, (left, right) = plt.subplots(1, np.int64(2), figsize=(8, 4))\n"
                            "fig, grid = plt.subplots(2, 3)\ngrid[1, 2].plot(x[0])\n"
                            "shapes = [len(grid), len(grid[0]), len(grid[:, 1:]), len(list(grid.ravel()))]\n"
                            "fig, one = plt.subplots(squeeze=False)\none[0, 0].set_title('one')\n"
                            "ax = plt.figure().add_subplot(projection='3d')\nfor k in range(3):\n    ax = ax.twinx()"),
             Cell("cell 3", "def double(values):\n    plt.plot(values)\n    return values * 2\n"
                            "def loaded_real():\n    return real\ndef grid_shapes():\n    return shapes")]
    with Sandbox(cells, PATIENT) as sandbox:
        load = sandbox.load()
        assert load.errors == [] and load.skipped == [] and load.stand_ins == []
        assert {"double", "loaded_real"} <= load.functions and "plt" not in load.functions
        assert sandbox.run("loaded_real", [("c", ())]).cases["c"].value is False  # matplotlib was never imported
        assert sandbox.run("grid_shapes", [("c", ())]).cases["c"].value == [2, 3, 2, 6]
        assert sandbox.run("double", [("c", (np.ones(3),))]).cases["c"].value.tolist() == [2.0, 2.0, 2.0]


def test_computing_with_a_plot_is_skipped_while_loading_and_fails_loudly_in_a_graded_function():
    cells = [Cell("cell 1", "import numpy as np\nimport matplotlib.pyplot as plt\n"
                            "image = plt.imread('photo.png') / 255.0\nsmall = image[::2]\nkept = 3"),
             Cell("cell 2", "def brightness(x):\n    return np.asarray(plt.imread(x)).mean()\n"
                            "def scaled(x):\n    return x * kept\n"
                            "def uses_image(x):\n    return small")]
    with Sandbox(cells, PATIENT) as sandbox:
        load = sandbox.load()
        # not the student's loading problem, and no module is missing: nothing to note
        assert load.errors == [] and load.skipped == [] and load.stand_ins == []
        assert sandbox.run("scaled", [("c", (2.0,))]).cases["c"].value == 6.0
        error = sandbox.run("brightness", [("c", ("photo.png",))]).cases["c"].error
        assert error.type == "PlotOnly" and "draws nothing in the grader" in error.message
        assert error.where.text == "return np.asarray(plt.imread(x)).mean()"
        assert sandbox.run("uses_image", [("c", (0,))]).cases["c"].error.type == "NameError"


# -- the release's figure cells ---------------------------------------------------------------------------------
def test_the_release_marks_its_figure_cells_and_they_are_not_run():
    notebook = json.loads(RELEASE.read_text())
    marked = [index for index, cell in enumerate(notebook["cells"])
              if cell["metadata"].get("nbgrader", {}).get("grade_id", "").startswith("figure_")
              and cell["cell_type"] == "code"]
    assert marked, "the release has figure cells"
    labels = {cell.label for cell in read_cells(SOLVED)}
    assert labels.isdisjoint(f"cell {index + 1}" for index in marked)
    assert "cell 3" in labels  # the setup cell runs


def test_a_figure_cell_that_another_cell_reads_from_still_runs():
    assert figure_cells([(False, "import numpy as np"), (True, "picture = np.ones(3)\nfig = 1"),
                         (False, "def f(x):\n    return x + picture")]) == set()
    assert figure_cells([(False, "import numpy as np"), (True, "picture = np.ones(3)\nfig = 1"),
                         (False, "def f(x):\n    picture = 2\n    return x + picture"), (True, "broken(")]) == {1}


def test_only_locked_figure_cells_that_are_no_solution_are_left_out():
    def cell(source, **nbgrader):
        made = new_code_cell(source)
        made.metadata["nbgrader"] = nbgrader
        return made

    cells = code_cells(new_notebook(cells=[
        cell("import numpy as np"),
        cell("plot = 1", grade_id="figure_a", locked=True, solution=False, grade=False),
        cell("mine = 2", grade_id="figure_b", locked=False, solution=False, grade=False),
        cell("def f():\n    return 3", grade_id="figure_c", locked=True, solution=True, grade=False)]).cells)
    assert [c.label for c in cells] == ["cell 1", "cell 3", "cell 4"]


# -- batch reruns -------------------------------------------------------------------------------------------------
def test_a_rerun_with_nothing_new_rewrites_nothing_and_never_imports_matplotlib(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "alice.py").write_text((EXAMPLES / "course_loops.py").read_text())
    out = tmp_path / "results"
    env = {key: value for key, value in os.environ.items() if key != "CONVGRADE_HIDDEN_SEED"}
    command = [sys.executable, "-m", "autograder.cli", "batch", str(folder), "--jobs", "1", "--quiet", "--out", str(out)]
    subprocess.run(command, check=True, capture_output=True, env=env, timeout=300)
    html = out / "report.html"
    first = (html.stat().st_mtime_ns, (out / "scores.csv").stat().st_mtime_ns)
    assert written_key(out) and html.read_text().rstrip().endswith("-->") and INPUTS_MARK in html.read_text()
    probe = ("import runpy, sys\nsys.argv = ['convgrade', *sys.argv[1:]]\ntry:\n"
             "    runpy.run_module('autograder.cli', run_name='__main__')\nexcept SystemExit:\n    pass\n"
             "print('MATPLOTLIB' if 'matplotlib' in sys.modules else 'NO MATPLOTLIB')")
    rerun = subprocess.run([sys.executable, "-c", probe, *command[3:]], check=True, capture_output=True, text=True,
                           env=env, timeout=300)
    assert "1 skipped" in rerun.stdout and rerun.stdout.rstrip().endswith("NO MATPLOTLIB")
    assert (html.stat().st_mtime_ns, (out / "scores.csv").stat().st_mtime_ns) == first

    (out / "scores.csv").unlink()  # a missing output is made again
    subprocess.run(command, check=True, capture_output=True, env=env, timeout=300)
    assert (out / "scores.csv").is_file() and html.stat().st_mtime_ns > first[0]
    assert "alice" in (out / "scores.csv").read_text()
