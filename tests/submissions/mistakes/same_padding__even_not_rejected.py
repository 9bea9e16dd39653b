"""same_padding returns (f - 1) / 2 for an even f instead of rejecting it."""


def same_padding(f):
    return (f - 1) / 2
