"""conv_output_size forgets the + 1."""
def conv_output_size(n, f, p, s):
    if s < 1 or p < 0 or f > n + 2 * p:
        raise ValueError("invalid combination")
    return (n + 2 * p - f) // s
