"""conv_output_shape computes n_H and n_W with true division, as floats."""
def conv_output_shape(input_shape, f, n_filters, p=0, s=1):
    n_H_prev, n_W_prev, n_C_prev = input_shape
    n_H = (n_H_prev + 2 * p - f) / s + 1
    n_W = (n_W_prev + 2 * p - f) / s + 1
    return (n_H, n_W, n_filters)
