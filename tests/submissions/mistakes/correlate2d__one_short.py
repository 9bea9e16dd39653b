"""correlate2d's output is n - f instead of n - f + 1 along each axis."""
import numpy as np


def correlate2d(image, kernel):
    f_h, f_w = kernel.shape
    out = np.zeros((image.shape[0] - f_h, image.shape[1] - f_w))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = np.sum(image[i:i + f_h, j:j + f_w] * kernel)
    return out
