"""The "CNN foundations" assignment: the lecture's concepts as graded functions."""
