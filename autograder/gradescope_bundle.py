"""``convgrade gradescope-bundle``: a Gradescope autograder zip that needs no checkout of this repository.

The zip holds ``setup.sh`` and ``run_autograder`` (from ``templates/gradescope/``) and a wheel of this
project built from its source tree. ``run_autograder`` carries the hidden cases' seed. Both scripts work
under ``$CONVGRADE_AUTOGRADER_ROOT`` (default ``/autograder``, Gradescope's layout: the zip unpacked in
``source/``, the student's files in ``submission/``, ``results/results.json`` read back).
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from importlib.resources import files
from pathlib import Path

from .reports.gradescope import DEFAULT_HIDDEN_VISIBILITY

PROJECT = Path(__file__).resolve().parents[1]
SOURCES = ("pyproject.toml", "README.md", "autograder", "cnn_reference")  # what the wheel is built from
SCRIPTS = ("setup.sh", "run_autograder")
EXECUTABLE = 0o100755 << 16  # a zip entry's Unix mode: regular file, rwxr-xr-x


class BundleError(RuntimeError):
    """The bundle cannot be built here (no source tree, the wheel build failed)."""


GRADING_REQUIREMENTS = ("numpy>=2.0", "nbformat>=5.9", "matplotlib>=3.8", "tqdm>=4.66")  # no nbgrader, no Jupyter


def build_bundle(out: Path, hidden_seed: int | None, assignment: str = "conv_step_by_step",
                 hidden_visibility: str = DEFAULT_HIDDEN_VISIBILITY, project: Path = PROJECT) -> None:
    """Write the Gradescope zip to ``out``: the two scripts (grading ``assignment``, pinned, hidden-case tests
    shown ``hidden_visibility``) and a freshly built wheel of ``project``."""
    with tempfile.TemporaryDirectory(prefix="convgrade-bundle-") as work:
        wheel = build_wheel(project, Path(work))
        out.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for name in SCRIPTS:
                entry = zipfile.ZipInfo(name, date_time=time.localtime()[:6])
                entry.external_attr, entry.compress_type = EXECUTABLE, zipfile.ZIP_DEFLATED
                archive.writestr(entry, render_script(name, wheel.name, hidden_seed, assignment, hidden_visibility))
            archive.write(wheel, wheel.name)


def render_script(name: str, wheel: str, hidden_seed: int | None, assignment: str = "conv_step_by_step",
                  hidden_visibility: str = DEFAULT_HIDDEN_VISIBILITY) -> str:
    """The script ``name`` with the wheel's file name, what grading installs, the hidden seed, the assignment
    and the hidden tests' visibility filled in."""
    template = (files("autograder") / "templates" / "gradescope" / name).read_text(encoding="utf-8")
    return (template.replace("@WHEEL@", wheel).replace("@ASSIGNMENT@", assignment)
            .replace("@REQUIREMENTS@", " ".join(f"'{requirement}'" for requirement in GRADING_REQUIREMENTS))
            .replace("@HIDDEN_VISIBILITY@", hidden_visibility)
            .replace("@HIDDEN_SEED@", "" if hidden_seed is None else str(hidden_seed)))


def build_wheel(project: Path, work: Path) -> Path:
    """A wheel of ``project`` built in ``work`` from a copy of its sources (the source tree stays untouched).

    pip builds it with this environment's setuptools when that is recent enough, else in an isolated
    environment it downloads."""
    if not (project / "pyproject.toml").is_file():
        raise BundleError(f"gradescope-bundle needs the convgrade source tree; {project} has no pyproject.toml")
    source, dist = work / "source", work / "dist"
    source.mkdir()
    for name in SOURCES:
        if (project / name).is_dir():
            shutil.copytree(project / name, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(project / name, source / name)
    command = [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(dist), str(source)]
    for isolation in (["--no-build-isolation"], []):
        result = subprocess.run(command + isolation, capture_output=True, text=True)
        if result.returncode == 0:
            return next(dist.glob("*.whl"))
    raise BundleError(f"building the wheel failed:\n{result.stderr.strip()[-3000:]}")
