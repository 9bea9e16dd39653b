"""The assignments this repository's course grades, one package each (found by ``registry.py``).

A package ``<name>/`` defines ``ASSIGNMENT`` (``course.Assignment``): exercises, cases, catalogue, mutants.
Adding an assignment is adding its folder here (or installing a package that registers one under the
``convgrade.assignments`` entry point).
"""
DEFAULT = "conv_step_by_step"  # what a submission defining no graded function is graded as
