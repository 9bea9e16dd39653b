"""conv_output_size never rejects an impossible combination."""


def conv_output_size(n, f, p, s):
    if s == 0:
        return 0
    return (n + 2 * p - f) // s + 1
