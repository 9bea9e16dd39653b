"""layer_shapes gives a filter no channel axis."""
def layer_shapes(input_shape, f, n_C, p=0, s=1):
    n_H_prev, n_W_prev, n_C_prev = input_shape
    n_H = (n_H_prev + 2 * p - f) // s + 1
    n_W = (n_W_prev + 2 * p - f) // s + 1
    return {"filter": (f, f), "weights": (f, f, n_C), "bias": (1, 1, 1, n_C), "activation": (n_H, n_W, n_C)}
