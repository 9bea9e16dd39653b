"""conv_parameters forgets the biases."""
def conv_parameters(f, n_C_prev, n_C):
    return f * f * n_C_prev * n_C
