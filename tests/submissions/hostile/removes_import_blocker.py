"""Attack: drop every import hook the grader might have installed, then import the reference and the
course's solved example (the old sandbox's only defence was one sys.meta_path entry). zero_pad is the
student's own, right: the honest score is its 5 points."""
import importlib
import sys

import numpy as np

sys.meta_path[:] = [finder for finder in sys.meta_path if "Blocker" not in type(finder).__name__]
for name in [name for name in sys.modules if name.split(".")[0] in ("cnn_reference", "autograder")]:
    del sys.modules[name]


def zero_pad(X, pad):
    return np.pad(X, ((0, 0), (pad, pad), (pad, pad), (0, 0)))


def conv_forward(A_prev, W, b, hparameters):
    import cnn_reference
    return cnn_reference.conv_forward(A_prev, W, b, hparameters)


def pool_forward(A_prev, hparameters, mode="max"):
    return importlib.import_module("autograder.examples.course_loops").pool_forward(A_prev, hparameters, mode)
