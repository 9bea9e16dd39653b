"""correlate2d multiplies each window by the transposed kernel."""
import numpy as np


def correlate2d(image, kernel):
    f_h, f_w = kernel.shape
    out = np.zeros((image.shape[0] - f_h + 1, image.shape[1] - f_w + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = np.sum(image[i:i + f_w, j:j + f_h] * kernel.T)
    return out
