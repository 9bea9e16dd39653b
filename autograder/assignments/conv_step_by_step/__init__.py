"""conv_step_by_step: the eight building blocks of a CNN (padding, convolution, pooling, their backward passes)."""
from cnn_reference import loops

from ...course import Assignment
from . import call_patterns, mutants
from .catalogue import CATALOGUE
from .exercises import EXERCISES

ASSIGNMENT = Assignment("conv_step_by_step", EXERCISES, CATALOGUE, mutants, call_sources=(loops, call_patterns))
