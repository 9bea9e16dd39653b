"""Check your notebook before you submit it: run `pytest` in this folder.

Each function is graded on the public cases, with the same messages the grader gives; the graded run
adds hidden cases. Another notebook or a .py file: `pytest --convgrade-submission PATH`.
"""
import pytest

FUNCTIONS = ["input_features", "dense_parameters", "conv_parameters", "edge_filter", "correlate2d", "convolve2d",
             "conv_output_size", "same_padding", "pad_image", "conv_output_shape", "pool_output_shape",
             "layer_shapes", "architecture_table"]


@pytest.mark.parametrize("name", FUNCTIONS)
def test_function(convgrade_report, name):
    convgrade_report.check(name)
