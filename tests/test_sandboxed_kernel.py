"""The kernel nbgrader autograde runs a student's cells in (``SandboxedKernelManager``), as root and as an
ordinary user: what the student's code can see, write, start and keep, and that a notebook still works
(inline figures, files beside the notebook, an interrupted cell).

Each run happens in a separate Python process so the unprivileged one can be a user namespace; the
student's code runs only in the sandboxed kernel.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.sandbox.isolation import detect

LEVEL = detect().level
pytestmark = pytest.mark.skipif(LEVEL == "none", reason=f"no sandbox on this machine: {detect().reason}")
MARK = "convgrade-test-kernel-stray"

CELLS = [
    "import os, subprocess, sys, time\nprint(json.dumps({'uid': os.getuid(), 'files': sorted(os.listdir('.'))}))",
    "print(open('data.txt').read())\nopen('made_by_student.txt', 'w').write('x')\nopen('data.txt', 'a')",
    "print([p for p in ('../../../gradebook.db', COURSE + '/gradebook.db', COURSE + '/autograded/bob') "
    "if os.path.exists(p)])",
    "import matplotlib.pyplot as plt\nplt.plot([1, 2])\nplt.show()",
    f"subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)', {MARK!r}], start_new_session=True)",
    "while True:\n    pass",
    "print('after the interrupt')",
    "import autograder",
]

RUNNER = """
import json, sys
import nbformat
from nbclient import NotebookClient
from autograder.sandboxed_kernel import SandboxedKernelManager
cells, folder, course = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3]
notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(f"import json\\nCOURSE = {course!r}")]
                                    + [nbformat.v4.new_code_cell(source) for source in cells])
NotebookClient(notebook, timeout=8, kernel_name="python3", kernel_manager_class=SandboxedKernelManager,
               allow_errors=True, interrupt_on_timeout=True, resources={"metadata": {"path": folder}}).execute()
print(json.dumps([cell.outputs for cell in notebook.cells[1:]]))
"""


def strays() -> list[str]:
    return [entry.name for entry in Path("/proc").iterdir()
            if entry.name.isdigit() and MARK.encode() in _cmdline(entry) and entry.name != str(os.getpid())]


def _cmdline(entry: Path) -> bytes:
    try:
        return (entry / "cmdline").read_bytes()
    except OSError:
        return b""


def run_notebook(tmp_path: Path, prefix: list[str]) -> list[list[dict]]:
    course = tmp_path / "course"
    folder = course / "autograded" / "alice" / "ps1"
    folder.mkdir(parents=True)
    (course / "autograded" / "bob").mkdir()
    (course / "gradebook.db").write_text("grades")
    (folder / "data.txt").write_text("beside the notebook")
    result = subprocess.run([*prefix, sys.executable, "-c", RUNNER, json.dumps(CELLS), str(folder), str(course)],
                            capture_output=True, text=True, timeout=240, cwd=Path(__file__).resolve().parents[1])
    assert result.returncode == 0, result.stderr[-3000:]
    assert sorted(os.listdir(folder)) == ["data.txt"] and (folder / "data.txt").read_text() == "beside the notebook"
    assert strays() == []
    return json.loads(result.stdout.splitlines()[-1])


def text(outputs: list[dict]) -> str:
    return "".join(output.get("text", "") + output.get("ename", "") for output in outputs)


def assert_sandboxed(outputs: list[list[dict]], uid_outside: int) -> int:
    """What every level holds; returns the uid the kernel ran as."""
    seen = json.loads(text(outputs[0]))
    assert seen["files"] == ["data.txt"]
    # data.txt is read-only: root's sandboxed user may not write it, and in a user namespace the mount refuses
    assert text(outputs[1]) in ("beside the notebook\nPermissionError", "beside the notebook\nOSError")
    assert text(outputs[2]).strip() == "[]"
    assert any("image/png" in output.get("data", {}) for output in outputs[3])
    assert text(outputs[5]) == "KeyboardInterrupt" and text(outputs[6]).strip() == "after the interrupt"
    assert text(outputs[7]) == "ModuleNotFoundError"
    assert seen["uid"] != 0 or uid_outside != 0
    return seen["uid"]


@pytest.mark.skipif(os.geteuid() != 0 or LEVEL != "root", reason="the root level needs root")
def test_as_root_the_kernel_is_a_separate_user_that_sees_no_course_file_and_keeps_no_process(tmp_path):
    uid = assert_sandboxed(run_notebook(tmp_path, []), 0)
    assert uid >= 2_000_000_000


@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("unshare") is None,
                    reason="simulating an unprivileged instructor needs root and unshare")
def test_as_an_ordinary_user_the_kernel_sees_no_course_file_and_keeps_no_process(tmp_path):
    uid = assert_sandboxed(run_notebook(tmp_path, ["unshare", "--user", "--map-user=1000", "--map-group=1000"]), 1000)
    assert uid == 1000
