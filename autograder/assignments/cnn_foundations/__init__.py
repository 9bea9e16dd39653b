"""cnn_foundations: the lecture's concepts (edge filters, output sizes, padding, parameter counts, LeNet-5)."""
from cnn_reference import concepts

from ...course import Assignment
from .catalogue import CATALOGUE
from .exercises import EXERCISES

ASSIGNMENT = Assignment("cnn_foundations", EXERCISES, CATALOGUE, call_sources=(concepts,))
