"""pool_output_shape computes n_H and n_W with true division, as floats."""
def pool_output_shape(input_shape, f, s):
    n_H_prev, n_W_prev, n_C = input_shape
    n_H = (n_H_prev - f) / s + 1
    n_W = (n_W_prev - f) / s + 1
    return (n_H, n_W, n_C)
