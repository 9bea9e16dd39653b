"""Attack: write forged frames straight to the grading channel, each one malformed in a way the grader's
parser might not expect (an id that is a list, a case for an id never sent, a value of a forbidden type), then
carry on. zero_pad is the student's own, right: the honest score is its 5 points, and a report is made."""
import json
import os
import struct

import numpy as np


def zero_pad(X, pad):
    return np.pad(X, ((0, 0), (pad, pad), (pad, pad), (0, 0)))


def _forge(message):
    body = json.dumps(message).encode()
    for fd in map(int, os.listdir("/proc/self/fd")):
        try:
            os.write(fd, struct.pack(">QI", 4 + len(body), len(body)) + body)
        except OSError:
            pass


def conv_single_step(a_slice_prev, W, b):
    _forge({"event": "case", "id": ["public-1"], "value": 1.0})
    return float(np.sum(a_slice_prev * W) + float(b.ravel()[0]))


def create_mask_from_window(x):
    _forge({"event": "case", "id": {"nested": 1}, "args_unchanged": True, "value": None})
    return x == np.max(x)


def distribute_value(dz, shape):
    _forge({"event": "case", "id": "no-such-case", "args_after": {"__ndarray__": "O", "shape": [1], "data": ""}})
    return np.full(shape, dz / (shape[0] * shape[1]))
