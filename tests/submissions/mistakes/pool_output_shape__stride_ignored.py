"""pool_output_shape ignores the stride."""
def pool_output_shape(input_shape, f, s):
    n_H_prev, n_W_prev, n_C = input_shape
    return (n_H_prev - f + 1, n_W_prev - f + 1, n_C)
