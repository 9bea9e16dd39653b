"""Check your notebook before you submit it: run `pytest` in this folder.

Each function is graded on the public cases, with the same messages the grader gives; the graded run
adds hidden cases. Another notebook or a .py file: `pytest --convgrade-submission PATH`.
"""
import pytest

FUNCTIONS = ["zero_pad", "conv_single_step", "conv_forward", "pool_forward", "conv_backward",
             "create_mask_from_window", "distribute_value", "pool_backward"]


@pytest.mark.parametrize("name", FUNCTIONS)
def test_function(convgrade_report, name):
    convgrade_report.check(name)
