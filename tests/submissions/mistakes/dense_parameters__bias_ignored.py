"""dense_parameters never counts the biases."""
def dense_parameters(n_inputs, n_units, bias=True):
    return n_inputs * n_units
