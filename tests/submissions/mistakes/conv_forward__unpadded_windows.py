"""conv_forward slices its windows from the unpadded A_prev[i] instead of the padded array."""
import numpy as np
def conv_forward(A_prev, W, b, hparameters):
    (m, n_H_prev, n_W_prev, n_C_prev) = A_prev.shape
    (f, f, n_C_prev, n_C) = W.shape
    stride = hparameters["stride"]; pad = hparameters["pad"]
    n_H = int((n_H_prev + 2 * pad - f) / stride) + 1
    n_W = int((n_W_prev + 2 * pad - f) / stride) + 1
    Z = np.zeros((m, n_H, n_W, n_C))
    for i in range(m):
        a_prev_pad = A_prev[i]
        for h in range(n_H):
            for w in range(n_W):
                for c in range(n_C):
                    a_slice_prev = a_prev_pad[h*stride:h*stride+f, w*stride:w*stride+f, :]
                    Z[i, h, w, c] = conv_single_step(a_slice_prev, W[:, :, :, c], b[:, :, :, c])
    return Z, (A_prev, W, b, hparameters)
