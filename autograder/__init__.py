"""convgrade's grading engine; the course's assignments are packages in ``autograder.assignments``."""

__version__ = "0.1.0"  # the one place it is written: pyproject.toml and the student kit read it from here
