"""A solved cnn_foundations notebook, course style, whose conv_output_shape computes the sizes inline with /."""
import numpy as np


def input_features(height, width, channels):
    """
    Number of values in an image: one per pixel and per channel.

    Arguments:
    height, width -- integers, the size of the image in pixels
    channels -- integer, the number of channels (3 for RGB, 1 for grayscale)

    Returns:
    features -- integer, height * width * channels
    """
    # Every pixel holds one value per channel.
    features = height * width * channels
    return features


def dense_parameters(n_inputs, n_units, bias=True):
    """
    Number of parameters of a fully connected layer.

    Arguments:
    n_inputs -- integer, the number of inputs of the layer
    n_units -- integer, the number of units of the layer
    bias -- boolean, whether to count the biases (one per unit)

    Returns:
    parameters -- integer, n_inputs * n_units weights, plus n_units biases if bias is True
    """
    # One weight for every (input, unit) pair.
    parameters = n_inputs * n_units
    # One bias for every unit.
    if bias:
        parameters = parameters + n_units
    return parameters


def conv_parameters(f, n_C_prev, n_C):
    """
    Number of parameters of a convolution layer.

    Arguments:
    f -- integer, the filters are f x f
    n_C_prev -- integer, the number of channels of the layer's input
    n_C -- integer, the number of filters

    Returns:
    parameters -- integer, (f * f * n_C_prev + 1) * n_C
    """
    # A filter spans all the input channels: f * f * n_C_prev weights...
    weights_per_filter = f * f * n_C_prev
    # ...plus its own bias; and there are n_C filters.
    parameters = (weights_per_filter + 1) * n_C
    return parameters


def edge_filter(name):
    """
    A 3x3 edge-detection filter.

    Arguments:
    name -- string, one of "vertical", "horizontal", "sobel_vertical", "sobel_horizontal",
            "scharr_vertical", "scharr_horizontal"

    Returns:
    kernel -- float numpy array of shape (3, 3)

    Raises:
    ValueError -- for any other name
    """
    # The three vertical edge detectors: positive column on the left, negative on the right.
    vertical = np.array([[1.0, 0.0, -1.0], [1.0, 0.0, -1.0], [1.0, 0.0, -1.0]])
    sobel = np.array([[1.0, 0.0, -1.0], [2.0, 0.0, -2.0], [1.0, 0.0, -1.0]])
    scharr = np.array([[3.0, 0.0, -3.0], [10.0, 0.0, -10.0], [3.0, 0.0, -3.0]])

    # Each horizontal filter is its vertical twin transposed (positive row on top).
    filters = {
        "vertical": vertical,
        "horizontal": vertical.T,
        "sobel_vertical": sobel,
        "sobel_horizontal": sobel.T,
        "scharr_vertical": scharr,
        "scharr_horizontal": scharr.T,
    }

    if name not in filters:
        raise ValueError(f"unknown filter {name!r}; known filters: {', '.join(filters)}")
    return filters[name]


def correlate2d(image, kernel):
    """
    Slide a kernel over an image, as a CNN does ("valid": no padding, stride 1, no flip).

    Arguments:
    image -- numpy array of shape (n_H, n_W), a grayscale image
    kernel -- numpy array of shape (f_H, f_W), the filter

    Returns:
    output -- numpy array of shape (n_H - f_H + 1, n_W - f_W + 1),
              output[i, j] = sum of image[i:i + f_H, j:j + f_W] * kernel
    """
    # Sizes of the image and of the kernel (the kernel may be rectangular).
    (n_H, n_W) = image.shape
    (f_H, f_W) = kernel.shape

    # The kernel fits n - f + 1 times along each axis.
    out_H = n_H - f_H + 1
    out_W = n_W - f_W + 1
    output = np.zeros((out_H, out_W))

    for i in range(out_H):                      # every output row
        for j in range(out_W):                  # every output column
            # The window under the kernel when its top-left corner is at (i, j).
            window = image[i:i + f_H, j:j + f_W]
            # Multiply element by element (the kernel as it is, not flipped) and add everything up.
            output[i, j] = np.sum(window * kernel)
    return output


def conv_output_size(n, f, p, s):
    """
    Output size, along one axis, of a convolution (or pooling) window sliding over an input.

    Arguments:
    n -- integer, the size of the input along the axis
    f -- integer, the size of the filter
    p -- integer, the padding on each side
    s -- integer, the stride

    Returns:
    size -- integer, floor((n + 2p - f) / s) + 1

    Raises:
    ValueError -- if n < 1, f < 1, p < 0, s < 1, or the filter is larger than the padded input
    """
    # Sizes and strides are at least 1, the padding at least 0.
    if n < 1 or f < 1 or s < 1:
        raise ValueError(f"n, f and s must be at least 1, got n={n}, f={f}, s={s}")
    if p < 0:
        raise ValueError(f"the padding must be at least 0, got p={p}")
    # The filter must fit at least once in the padded input.
    if f > n + 2 * p:
        raise ValueError(f"the filter (f={f}) is larger than the padded input (n + 2p = {n + 2 * p})")
    # The first window, plus one more every s pixels while the window still fits (// rounds down).
    size = (n + 2 * p - f) // s + 1
    return size


def same_padding(f):
    """
    The padding on each side that keeps the output as large as the input, at stride 1.

    Arguments:
    f -- integer, the size of the filter

    Returns:
    p -- integer, (f - 1) / 2

    Raises:
    ValueError -- if f is even (then (f - 1) / 2 is not a whole number)
    """
    # n + 2p - f + 1 = n gives p = (f - 1) / 2, a whole number only for odd f.
    if f % 2 == 0:
        raise ValueError(f"an even filter (f={f}) has no symmetric 'same' padding: (f - 1) / 2 = {(f - 1) / 2}")
    p = (f - 1) // 2
    return p


def pad_image(image, top, bottom, left, right):
    """
    Zero-pad an image by a different amount on each side.

    Arguments:
    image -- numpy array of shape (n_H, n_W) or (n_H, n_W, n_C)
    top, bottom -- integers, the number of rows of zeros added above and below
    left, right -- integers, the number of columns of zeros added on the left and on the right

    Returns:
    padded -- numpy array of shape (n_H + top + bottom, n_W + left + right), plus (n_C,) if image has channels
    """
    # One (before, after) pair per axis: the rows first, then the columns.
    pad_width = [(top, bottom), (left, right)]
    # The channel axis, if there is one, is not padded.
    if image.ndim == 3:
        pad_width.append((0, 0))
    # np.pad returns a new array: the image itself is left as it is.
    padded = np.pad(image, pad_width, mode="constant", constant_values=0)
    return padded


def convolve2d(image, kernel):
    """
    Convolution in the mathematical sense: the kernel is flipped on both axes, then slid over the image.

    Arguments:
    image -- numpy array of shape (n_H, n_W)
    kernel -- numpy array of shape (f_H, f_W)

    Returns:
    output -- numpy array of shape (n_H - f_H + 1, n_W - f_W + 1)
    """
    # Flip the kernel upside down and left to right (a new view: kernel itself is unchanged).
    flipped = kernel[::-1, ::-1]
    # Then slide it over the image as a CNN does.
    output = correlate2d(image, flipped)
    return output


def conv_output_shape(input_shape, f, n_filters, p=0, s=1):
    """
    Output shape of a convolution layer.

    Arguments:
    input_shape -- tuple (n_H_prev, n_W_prev, n_C_prev)
    f -- integer, the filters are f x f (x n_C_prev)
    n_filters -- integer, the number of filters
    p -- integer, the padding
    s -- integer, the stride

    Returns:
    shape -- tuple (n_H, n_W, n_C) of integers, with n_C = n_filters
    """
    (n_H_prev, n_W_prev, n_C_prev) = input_shape
    # Height and width follow the output-size formula.
    n_H = (n_H_prev + 2 * p - f) / s + 1
    n_W = (n_W_prev + 2 * p - f) / s + 1
    # One output channel per filter.
    return (n_H, n_W, n_filters)


def layer_shapes(input_shape, f, n_C, p=0, s=1):
    """
    The shapes of a convolution layer, in the course's notation.

    Arguments:
    input_shape -- tuple (n_H_prev, n_W_prev, n_C_prev), the shape of the layer's input
    f -- integer, the filters are f x f (x n_C_prev)
    n_C -- integer, the number of filters
    p -- integer, the padding
    s -- integer, the stride

    Returns:
    shapes -- dictionary with the tuples "filter" (f, f, n_C_prev), "weights" (f, f, n_C_prev, n_C),
              "bias" (1, 1, 1, n_C) and "activation" (n_H, n_W, n_C)
    """
    # A filter spans every channel of the input.
    n_C_prev = input_shape[2]
    shapes = {
        "filter": (f, f, n_C_prev),
        "weights": (f, f, n_C_prev, n_C),                   # the n_C filters side by side
        "bias": (1, 1, 1, n_C),                             # one bias per filter
        "activation": conv_output_shape(input_shape, f, n_C, p, s),
    }
    return shapes


def pool_output_shape(input_shape, f, s):
    """
    Output shape of a pooling layer (no padding).

    Arguments:
    input_shape -- tuple (n_H_prev, n_W_prev, n_C)
    f -- integer, the pooling window is f x f
    s -- integer, the stride

    Returns:
    shape -- tuple (n_H, n_W, n_C) of integers
    """
    (n_H_prev, n_W_prev, n_C) = input_shape
    # The window slides like a filter, without padding.
    n_H = conv_output_size(n_H_prev, f, 0, s)
    n_W = conv_output_size(n_W_prev, f, 0, s)
    # Each channel is pooled separately: their number does not change.
    return (n_H, n_W, n_C)


def architecture_table(input_shape, layers):
    """
    One row per layer of a network: its name, output shape, activation size and number of parameters.

    Arguments:
    input_shape -- tuple (n_H, n_W, n_C), the shape of the input
    layers -- list of dictionaries with a "name" and a "type": "conv" (keys "f", "n_C", optional "p" and "s"),
              "pool" (keys "f", "s"), "flatten", or "dense" (key "units")

    Returns:
    rows -- list of tuples (name, shape, size, parameters), starting with ("input", input_shape, size, 0)
    """
    shape = tuple(input_shape)
    rows = [("input", shape, int(np.prod(shape)), 0)]

    for layer in layers:
        kind = layer["type"]
        if kind == "conv":
            # The filters span the channels of the current shape; count them before the shape changes.
            n_C_prev = shape[-1]
            parameters = conv_parameters(layer["f"], n_C_prev, layer["n_C"])
            shape = conv_output_shape(shape, layer["f"], layer["n_C"], layer.get("p", 0), layer.get("s", 1))
        elif kind == "pool":
            # Pooling learns nothing.
            parameters = 0
            shape = pool_output_shape(shape, layer["f"], layer["s"])
        elif kind == "flatten":
            # All the values in one vector.
            parameters = 0
            shape = (int(np.prod(shape)),)
        elif kind == "dense":
            # Every unit sees every value of the previous layer, and has a bias.
            parameters = dense_parameters(int(np.prod(shape)), layer["units"])
            shape = (layer["units"],)
        else:
            raise ValueError(f"unknown layer type {kind!r}: expected conv, pool, flatten or dense")
        rows.append((layer["name"], shape, int(np.prod(shape)), parameters))
    return rows
