"""conv_output_size rounds up with ceil."""
import math


def conv_output_size(n, f, p, s):
    if s < 1 or p < 0 or f > n + 2 * p:
        raise ValueError("invalid combination")
    return math.ceil((n + 2 * p - f) / s) + 1
