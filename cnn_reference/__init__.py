"""cnn_reference: the vectorized numpy oracle for the course's CNN building blocks (NHWC).

The eight student functions with the course's signatures, plus the loop versions in
``cnn_reference.loops`` and numerical gradients in ``cnn_reference.gradcheck``.
"""
from .conv import conv_backward, conv_forward, conv_single_step
from .padding import unpad, zero_pad
from .pool import create_mask_from_window, distribute_value, pool_backward, pool_forward
from .systems import conv2d, course_params_to_keras, keras_conv2d, keras_params_to_course, same_padding_amounts
from .windows import output_size

__all__ = [
    "zero_pad",
    "unpad",
    "conv_single_step",
    "conv_forward",
    "conv_backward",
    "pool_forward",
    "create_mask_from_window",
    "distribute_value",
    "pool_backward",
    "output_size",
    "conv2d",
    "keras_conv2d",
    "same_padding_amounts",
    "course_params_to_keras",
    "keras_params_to_course",
]
