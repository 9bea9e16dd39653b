"""convolve2d forgets to flip the kernel (it is a cross-correlation)."""
import numpy as np


def convolve2d(image, kernel):
    f_h, f_w = kernel.shape
    out = np.zeros((image.shape[0] - f_h + 1, image.shape[1] - f_w + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = np.sum(image[i:i + f_h, j:j + f_w] * kernel)
    return out
