"""Exceptions described as data (the sandbox child and the notebook path), and the notebook path's import
blocker.

The sandbox child loads this file by path (the autograder package is not in its file system), so it
imports only the standard library. The sandbox needs no import blocker: the reference is simply not
there. The nbgrader grade cells, which still grade inside the student's kernel, use it.
"""
from __future__ import annotations

import contextlib
import sys
import traceback

BLOCKED = ("cnn_reference", "autograder")


class ImportBlocker:
    """A meta-path finder that refuses the grader's own packages to student code."""

    def __init__(self, names=BLOCKED):
        self.names = frozenset(names)

    def find_spec(self, fullname, path=None, target=None):
        if fullname.split(".")[0] in self.names:
            raise ImportError(f"'{fullname}' cannot be imported by a submission: the grader checks your code against it")
        return None


@contextlib.contextmanager
def imports_blocked(names=BLOCKED):
    """Within the block, importing ``names`` fails; modules already imported are hidden, then restored."""
    hidden = {name: module for name, module in sys.modules.items() if name.split(".")[0] in names}
    for name in hidden:
        del sys.modules[name]
    blocker = ImportBlocker(names)
    sys.meta_path.insert(0, blocker)
    try:
        yield
    finally:
        if blocker in sys.meta_path:
            sys.meta_path.remove(blocker)
        sys.modules.update(hidden)


def describe_error(error: BaseException, is_student) -> dict:
    """An exception as data: type, message, and the deepest line of student code it passed through.

    ``is_student(filename)`` says which frames are the student's. SystemExit gets a plain message.
    """
    try:
        message = (error.msg if isinstance(error, SyntaxError) else str(error))[:500]
    except BaseException:  # a hostile __str__ must not break grading
        message = "<unprintable message>"
    where = None
    if isinstance(error, SyntaxError) and is_student(error.filename):
        where = {"label": error.filename, "line": error.lineno, "text": (error.text or "").strip()[:200]}
    else:
        frames = [f for f in traceback.extract_tb(error.__traceback__) if is_student(f.filename)]
        if frames:
            where = {"label": frames[-1].filename, "line": frames[-1].lineno, "text": (frames[-1].line or "").strip()[:200]}
    if isinstance(error, SystemExit):
        message = f"the code called sys.exit({error.code!r})"
    return {"type": type(error).__name__, "message": message, "where": where}
