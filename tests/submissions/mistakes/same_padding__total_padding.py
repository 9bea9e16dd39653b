"""same_padding returns the total padding f - 1 instead of the padding per side."""
def same_padding(f):
    if f % 2 == 0:
        raise ValueError("even f")
    return f - 1
