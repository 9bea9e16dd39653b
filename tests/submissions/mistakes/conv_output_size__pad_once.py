"""conv_output_size adds the padding on one side only."""
def conv_output_size(n, f, p, s):
    if s < 1 or p < 0 or f > n + 2 * p:
        raise ValueError("invalid combination")
    return (n + p - f) // s + 1
