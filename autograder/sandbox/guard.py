"""Exceptions described as data (the sandbox child and the notebook path), the notebook path's import
blocker, the sandbox's stand-ins for modules the grader does not have, and its plotting stand-ins.

The sandbox child loads this file by path (the autograder package is not in its file system), so it
imports only the standard library. The sandbox needs no import blocker: the reference is simply not
there. The nbgrader grade cells, which still grade inside the student's kernel, use it.
"""
from __future__ import annotations

import ast
import contextlib
import importlib
import importlib.machinery
import math
import operator
import sys
import traceback
import types

BLOCKED = ("cnn_reference", "autograder")
PLOTTING = ("matplotlib", "mpl_toolkits")  # drawing cannot change a grade: these draw nothing in the sandbox
_IMPORT_MACHINERY = ("<frozen importlib", importlib.__file__)


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
    kind = "ModuleNotFoundError" if isinstance(error, StandInUsed) else type(error).__name__
    where = None
    if isinstance(error, SyntaxError) and is_student(error.filename):
        where = {"label": error.filename, "line": error.lineno, "text": (error.text or "").strip()[:200]}
    else:
        frames = [f for f in traceback.extract_tb(error.__traceback__) if is_student(f.filename)]
        if frames:
            where = {"label": frames[-1].filename, "line": frames[-1].lineno, "text": (frames[-1].line or "").strip()[:200]}
    if isinstance(error, SystemExit):
        message = f"the code called sys.exit({error.code!r})"
    return {"type": kind, "message": message, "where": where}


class StandInUsed(ModuleNotFoundError):
    """Code used a stand-in; reported as the ModuleNotFoundError it stands for."""


class StandIn(types.ModuleType):
    """A module the grader does not have, or an attribute of one: importing it works, using it raises
    StandInUsed (calling, indexing, iterating, arithmetic). ``from it import *`` imports nothing."""

    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__"):  # the import system's and `import *`'s questions
            raise AttributeError(name)
        return StandIn(f"{self.__name__}.{name}")

    def _used(self, *args, **kwargs):
        top = self.__name__.partition(".")[0]
        raise StandInUsed(f"No module named '{top}' in the grader, which runs your code with numpy and Python's "
                          "standard library only", name=top)

    __call__ = __getitem__ = __setitem__ = __iter__ = __float__ = __int__ = _used
    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = __truediv__ = __rtruediv__ = _used
    __matmul__ = __rmatmul__ = __pow__ = __neg__ = _used


class StandIns:
    """A meta-path finder for the end of sys.meta_path: a module that student code imports and no other finder
    has becomes a StandIn, so that a course's `import h5py` costs nothing unless h5py is used. The grader's
    own packages (``refused``), submodules of real packages, imports made by library code and imports the
    student guards with `except ImportError` still fail as usual."""

    def __init__(self, refused, is_student, is_guarded):
        self.refused = frozenset(refused)
        self.is_student = is_student  # file name -> whether it is one of the student's cells
        self.is_guarded = is_guarded  # (file name, line) -> whether a `try` there catches ImportError
        self.names = []  # the top-level modules stood in, in the order they were first imported

    def find_spec(self, fullname, path=None, target=None):
        top = fullname.partition(".")[0]
        if top in self.refused or (top != fullname and not isinstance(sys.modules.get(top), StandIn)):
            return None
        frame = sys._getframe(1)
        while frame is not None and frame.f_code.co_filename.startswith(_IMPORT_MACHINERY):
            frame = frame.f_back
        if frame is None or not self.is_student(frame.f_code.co_filename) \
                or self.is_guarded((frame.f_code.co_filename, frame.f_lineno)):
            return None
        return importlib.machinery.ModuleSpec(fullname, self, is_package=True)

    def create_module(self, spec):
        return StandIn(spec.name)

    def exec_module(self, module):
        top = module.__name__.partition(".")[0]
        if top not in self.names:
            self.names.append(top)


class PlotOnly(TypeError):
    """Code computed with what a plotting stand-in returned (a figure draws nothing in the grader)."""


class Plotting(types.ModuleType):
    """A plotting module, or anything one returns: every call, attribute, index, `with` and `del` works and
    draws nothing. `pyplot.subplots` gives (figure, axes), axes a grid of its shape (iterable, indexable,
    `len`, `.flat`, `.ravel()`), like matplotlib's; other values iterate as empty. Computing with it (numbers,
    arrays, arithmetic) raises PlotOnly, so a graded function never silently gets it for real data."""

    def __init__(self, name, shape=()):
        super().__init__(name[:200])  # long chains of calls do not make ever longer names
        self._shape = shape

    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__") and name != "__version__":  # the import system's, numpy's
            raise AttributeError(name)
        flat = (math.prod(self._shape),) if self._shape and name in ("flat", "ravel", "flatten") else ()
        return Plotting(f"{self.__name__}.{name}", flat)

    def __call__(self, *args, **kwargs):
        if self.__name__ == "matplotlib.pyplot.subplots":
            return Plotting(f"{self.__name__}()[0]"), Plotting(f"{self.__name__}()[1]", _grid(*args, **kwargs))
        return Plotting(f"{self.__name__}()", self._shape if self.__name__.endswith((".ravel", ".flatten")) else ())

    def __getitem__(self, key):
        shape, kept = list(self._shape), []
        for part in key if isinstance(key, tuple) else (key,):
            if shape:
                size = shape.pop(0)
                if isinstance(part, slice):
                    kept.append(len(range(size)[part]))
        return Plotting(f"{self.__name__}[]", (*kept, *shape))

    def __setitem__(self, key, value):
        pass

    def __delitem__(self, key):
        pass

    def __iter__(self):
        return (self[index] for index in range(self._shape[0] if self._shape else 0))

    def __len__(self):
        if not self._shape:
            self._computed()
        return self._shape[0]

    def __bool__(self):
        return True

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def _computed(self, *args, **kwargs):
        raise PlotOnly(f"{self.__name__.partition('(')[0]} draws nothing in the grader: its result is a stand-in "
                       "that cannot be computed with; compute with numpy, not with matplotlib")

    __array__ = __float__ = __int__ = __index__ = __complex__ = _computed
    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = __truediv__ = __rtruediv__ = _computed
    __floordiv__ = __rfloordiv__ = __mod__ = __rmod__ = __matmul__ = __rmatmul__ = __pow__ = __rpow__ = _computed
    __neg__ = __pos__ = __abs__ = __lt__ = __le__ = __gt__ = __ge__ = _computed


def _grid(nrows=1, ncols=1, *, squeeze=True, **kwargs):
    """The shape of the axes `pyplot.subplots(nrows, ncols, squeeze=...)` returns (() for one Axes)."""
    try:
        nrows, ncols = operator.index(nrows), operator.index(ncols)
    except TypeError:
        return ()
    if not (0 < nrows <= 1000 and 0 < ncols <= 1000):
        return ()
    return tuple(size for size in (nrows, ncols) if size != 1 or not squeeze)


class PlottingStandIns:
    """A meta-path finder for the front of sys.meta_path: every plotting module (``PLOTTING``) and its
    submodules is a Plotting stand-in, whoever imports it, so that a notebook's figures cost no grading time."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname.partition(".")[0] not in PLOTTING:
            return None
        return importlib.machinery.ModuleSpec(fullname, self, is_package=True)

    def create_module(self, spec):
        return Plotting(spec.name)

    def exec_module(self, module):
        pass


def binds(tree):
    """Every name that code binds anywhere in it."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            names.add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, ast.alias):
            names.add((node.asname or node.name).partition(".")[0])
        elif isinstance(node, ast.Global | ast.Nonlocal):
            names.update(node.names)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
    return names


# numpy 2.0 to 2.3 warn with this where numpy 2.4 raises TypeError with that (the course template's float(b))
NUMPY_CONVERSION = "Conversion of an array with ndim > 0 to a scalar is deprecated"
NUMPY_24_CONVERSION = "only 0-dimensional arrays can be converted to Python scalars"


def raise_like_numpy_2_4(message, category) -> None:
    """Raise numpy 2.4's TypeError for numpy 2.0-2.3's scalar-conversion warning; return for any other."""
    if issubclass(category, DeprecationWarning) and str(message).startswith(NUMPY_CONVERSION):
        raise TypeError(NUMPY_24_CONVERSION)
