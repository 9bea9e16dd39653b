"""input_features counts pixels and forgets the channels."""
def input_features(height, width, channels):
    return height * width
