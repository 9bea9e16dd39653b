"""conv_parameters counts one bias for the whole layer."""
def conv_parameters(f, n_C_prev, n_C):
    return f * f * n_C_prev * n_C + 1
