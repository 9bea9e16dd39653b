"""Build the student kit: the ``convgrade-student`` wheel, the grading engine without any course.

The kit holds exactly the modules in ``KIT_MODULES``: spec types, comparator, judging, evidence matching,
reports, the sandbox, the notebook grade cells, the pytest plugin and ``convgrade check``. It judges
against the public checks a release ships beside its notebook (``public_checks.py``), so it needs no
reference, mutant, catalogue, example solution or seed, and holds none. It depends on numpy, pytest and
matplotlib only. A test installs it alone in a fresh virtual environment and checks all of this.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from . import __version__

PACKAGE = Path(__file__).parent
DISTRIBUTION = "convgrade-student"
KIT_MODULES = (
    "__init__.py", "checks.py", "cli.py", "compare.py", "diagnose.py", "grading.py", "judging.py", "local.py",
    "model.py", "notebook.py", "pictures.py", "public_checks.py", "pytest_plugin.py", "spec.py", "submission.py",
    "reports/__init__.py", "reports/gradescope.py", "reports/json_report.py", "reports/junit.py",
    "reports/scores.py", "reports/text.py",
    "sandbox/__init__.py", "sandbox/child.py", "sandbox/codec.py", "sandbox/early.py", "sandbox/forkserver.py",
    "sandbox/guard.py", "sandbox/helper_calls.py", "sandbox/isolation.py", "sandbox/limits.py",
    "sandbox/runner.py", "sandbox/warm.py",
)
DEPENDENCIES = ("numpy>=2.0", "pytest>=8", "matplotlib>=3.8")

PYPROJECT = """\
[build-system]
requires = ["setuptools>=77"]
build-backend = "setuptools.build_meta"

[project]
name = "{name}"
version = "{version}"
description = "Local checks for the convgrade CNN exercises: judges your notebook against the public checks of its release"
requires-python = ">=3.11"
license = "MIT"
dependencies = [{dependencies}]

[project.scripts]
convgrade = "autograder.cli:command"

[project.entry-points.pytest11]
convgrade = "autograder.pytest_plugin"

[tool.setuptools]
packages = ["autograder", "autograder.reports", "autograder.sandbox"]
"""


class KitError(Exception):
    """The kit could not be built."""


def stage(folder: Path) -> Path:
    """Lay out the kit's project in ``folder`` (its pyproject and its modules); returns ``folder``."""
    for module in KIT_MODULES:
        target = folder / "autograder" / module
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(PACKAGE / module, target)
    (folder / "pyproject.toml").write_text(PYPROJECT.format(
        name=DISTRIBUTION, version=__version__, dependencies=", ".join(f'"{d}"' for d in DEPENDENCIES)))
    return folder


def build_kit(out: Path) -> Path:
    """Build the kit's wheel into ``out``; returns the wheel's path."""
    out = out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="convgrade-kit-") as staging:
        project = stage(Path(staging) / "project")
        built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(out),
                                str(project)], capture_output=True, text=True)
    if built.returncode != 0:
        raise KitError(f"pip could not build the kit: {(built.stderr or built.stdout).strip()[-2000:]}")
    wheels = sorted(out.glob(DISTRIBUTION.replace("-", "_") + "-*.whl"), key=lambda path: path.stat().st_mtime)
    if not wheels:
        raise KitError(f"pip built no {DISTRIBUTION} wheel in {out}")
    return wheels[-1]
