"""architecture_table counts one bias per fully connected layer, as the lecture's LeNet-5 table does."""
def architecture_table(input_shape, layers):
    shape = tuple(input_shape)
    rows = [("input", shape, shape[0] * shape[1] * shape[2], 0)]
    for layer in layers:
        size_in = 1
        for n in shape:
            size_in *= n
        if layer["type"] == "conv":
            f, n_C, p, s = layer["f"], layer["n_C"], layer.get("p", 0), layer.get("s", 1)
            params = (f * f * shape[2] + 1) * n_C
            shape = ((shape[0] + 2 * p - f) // s + 1, (shape[1] + 2 * p - f) // s + 1, n_C)
        elif layer["type"] == "pool":
            f, s = layer["f"], layer["s"]
            params = 0
            shape = ((shape[0] - f) // s + 1, (shape[1] - f) // s + 1, shape[2])
        elif layer["type"] == "flatten":
            params = 0
            shape = (size_in,)
        else:
            params = size_in * layer["units"] + 1
            shape = (layer["units"],)
        size = 1
        for n in shape:
            size *= n
        rows.append((layer["name"], shape, size, params))
    return rows
