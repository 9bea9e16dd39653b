"""layer_shapes uses Keras's bias shape (n_C,) instead of the course's (1, 1, 1, n_C)."""
def layer_shapes(input_shape, f, n_C, p=0, s=1):
    n_H_prev, n_W_prev, n_C_prev = input_shape
    n_H = (n_H_prev + 2 * p - f) // s + 1
    n_W = (n_W_prev + 2 * p - f) // s + 1
    return {"filter": (f, f, n_C_prev), "weights": (f, f, n_C_prev, n_C), "bias": (n_C,), "activation": (n_H, n_W, n_C)}
