"""dense_parameters counts one bias for the whole layer."""
def dense_parameters(n_inputs, n_units, bias=True):
    weights = n_inputs * n_units
    if bias:
        return weights + 1
    return weights
