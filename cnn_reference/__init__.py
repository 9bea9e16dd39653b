"""cnn_reference: the numpy oracle for both assignments (NHWC).

The eight step-by-step functions with the course's signatures (vectorized), the concepts assignment's
answers (``concepts``), TensorFlow/Keras-semantics convolution (``systems``), the loop versions in
``cnn_reference.loops`` and numerical gradients in ``cnn_reference.gradcheck``.
"""
from .concepts import (architecture_table, conv_output_shape, conv_output_size, conv_parameters, convolve2d,
                       correlate2d, dense_parameters, edge_filter, input_features, layer_shapes, pad_image,
                       pool_output_shape, same_padding)
from .conv import conv_backward, conv_forward, conv_single_step
from .padding import unpad, zero_pad
from .pool import create_mask_from_window, distribute_value, pool_backward, pool_forward
from .systems import conv2d, course_params_to_keras, keras_conv2d, keras_params_to_course, same_padding_amounts
from .windows import output_size

__all__ = [
    # conv_step_by_step
    "zero_pad", "unpad", "conv_single_step", "conv_forward", "conv_backward", "pool_forward",
    "create_mask_from_window", "distribute_value", "pool_backward", "output_size",
    # cnn_foundations
    "input_features", "dense_parameters", "conv_parameters", "edge_filter", "correlate2d", "convolve2d",
    "conv_output_size", "same_padding", "pad_image", "conv_output_shape", "pool_output_shape", "layer_shapes",
    "architecture_table",
    # the systems the lecture names
    "conv2d", "keras_conv2d", "same_padding_amounts", "course_params_to_keras", "keras_params_to_course",
]
