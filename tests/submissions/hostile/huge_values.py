"""Attack on the channel: answers that crashed the old parent (an integer of 400 digits, frames written
straight to the grader's pipes with an error that has no message and an integer too large to parse).
zero_pad is the student's own, right."""
import json
import os
import stat
import struct

import numpy as np


def _forge(body):
    for fd in range(3, 64):
        try:
            if stat.S_ISFIFO(os.fstat(fd).st_mode):
                os.write(fd, struct.pack(">QI", 4 + len(body), len(body)) + body)
        except OSError:
            pass


def zero_pad(X, pad):
    return np.pad(X, ((0, 0), (pad, pad), (pad, pad), (0, 0)))


def conv_single_step(a_slice_prev, W, b):
    return 10 ** 400


def distribute_value(dz, shape):
    _forge(json.dumps({"event": "case", "id": "public:1", "error": {"type": "Forged"}}).encode())
    _forge(b'{"event": "case", "id": "public:1", "value": ' + b"9" * 5000 + b"}")
    return np.full(shape, 10 ** 30)
