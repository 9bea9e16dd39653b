"""input_features adds the dimensions instead of multiplying them."""
def input_features(height, width, channels):
    return height + width + channels
