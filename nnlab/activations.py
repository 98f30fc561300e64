"""Activation functions σ and their derivatives σ′, numerically stable for any real z.

    function            σ(z)                                σ′(z)
    sigmoid             1 / (1 + e^{−z})                    σ(z) (1 − σ(z))        ∈ (0, 1/4]
    tanh                (e^z − e^{−z}) / (e^z + e^{−z})     1 − tanh²(z)           ∈ (0, 1]
    relu                max(z, 0)                           1 if z > 0 else 0      (0 at the kink)
    elu                 z if z > 0 else α (e^z − 1)         1 if z > 0 else α e^z
    softmax             e^{z_j} / Σ_k e^{z_k}               ∂s_j/∂z_k = s_j (δ_jk − s_k)

Every function works elementwise on an array of any shape (softmax along the last axis) and
returns a new array; the input is never modified. Stability: sigmoid uses e^{−|z|} (no overflow),
softmax subtracts the row maximum, ELU uses expm1 of min(z, 0).

Chapter 02.
"""

from __future__ import annotations

import numpy as np

from ._validate import as_float_array, check_float


def _z(z, where: str) -> np.ndarray:
    return as_float_array(z, f"nnlab.activations.{where}", "z", finite=False)


def sigmoid(z) -> np.ndarray:
    """σ(z) = 1 / (1 + e^{−z}), computed via e^{−|z|} so that no exponential overflows.

    For z ≥ 0: 1 / (1 + e^{−z});  for z < 0: e^{z} / (1 + e^{z}).  Chapter 01, 02.
    """
    z = _z(z, "sigmoid")
    e = np.exp(-np.abs(z))
    s = 1.0 / (1.0 + e)
    return np.where(z >= 0, s, e * s)


def sigmoid_prime(z) -> np.ndarray:
    """σ′(z) = σ(z)(1 − σ(z)) = e^{−|z|} / (1 + e^{−|z|})², at most 1/4 (at z = 0).  Chapter 02."""
    z = _z(z, "sigmoid_prime")
    e = np.exp(-np.abs(z))
    return e / (1.0 + e) ** 2


def tanh(z) -> np.ndarray:
    """tanh(z) = (e^z − e^{−z}) / (e^z + e^{−z}) = 2σ(2z) − 1, in (−1, 1).  Chapter 02."""
    return np.tanh(_z(z, "tanh"))


def tanh_prime(z) -> np.ndarray:
    """tanh′(z) = 1 − tanh²(z), in (0, 1], equal to 1 only at z = 0.  Chapter 02."""
    t = np.tanh(_z(z, "tanh_prime"))
    return 1.0 - t * t


def relu(z) -> np.ndarray:
    """ReLU(z) = max(z, 0).  Chapter 02."""
    return np.maximum(_z(z, "relu"), 0.0)


def relu_prime(z) -> np.ndarray:
    """ReLU′(z) = 1 for z > 0, else 0 (the kink at 0 gets 0 by convention).  Chapter 02."""
    z = _z(z, "relu_prime")
    return (z > 0).astype(z.dtype)


def _alpha(alpha, where):
    return check_float(alpha, f"nnlab.activations.{where}", "alpha", low=0.0, low_open=True)


def elu(z, alpha: float = 1.0) -> np.ndarray:
    """ELU(z) = z for z > 0, α (e^z − 1) for z ≤ 0 (computed with expm1 of min(z, 0)).  Chapter 02."""
    z, alpha = _z(z, "elu"), _alpha(alpha, "elu")
    return np.where(z > 0, z, alpha * np.expm1(np.minimum(z, 0.0)))


def elu_prime(z, alpha: float = 1.0) -> np.ndarray:
    """ELU′(z) = 1 for z > 0, α e^z for z ≤ 0.  Chapter 02."""
    z, alpha = _z(z, "elu_prime"), _alpha(alpha, "elu_prime")
    return np.where(z > 0, 1.0, alpha * np.exp(np.minimum(z, 0.0))).astype(z.dtype, copy=False)


def softmax(z) -> np.ndarray:
    """s_j = e^{z_j} / Σ_k e^{z_k} along the last axis; the max is subtracted first (same result, no overflow).

    z : (..., K) → s : (..., K), each row positive and summing to 1.  Chapter 02, 04.
    """
    z = _z(z, "softmax")
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    e /= e.sum(axis=-1, keepdims=True)
    return e


def log_softmax(z) -> np.ndarray:
    """log s_j = z_j − max z − log Σ_k e^{z_k − max z}, along the last axis.  Chapter 04."""
    z = _z(z, "log_softmax")
    shifted = z - z.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def softmax_jacobian(z) -> np.ndarray:
    """The Jacobian ∂s_j/∂z_k = s_j (δ_jk − s_k) of softmax for each row.

    z : (K,) → (K, K), or z : (N, K) → (N, K, K).  Chapter 02.
    """
    s = softmax(z)
    return s[..., :, None] * (np.eye(s.shape[-1], dtype=s.dtype) - s[..., None, :])


def softmax_vjp(s: np.ndarray, dC_ds: np.ndarray) -> np.ndarray:
    """∂C/∂z from s = softmax(z) and ∂C/∂s, without forming the Jacobian.

    ∂C/∂z_k = Σ_j ∂C/∂s_j s_j (δ_jk − s_k) = s_k (∂C/∂s_k − Σ_j ∂C/∂s_j s_j).  Chapter 07.
    """
    return s * (dC_ds - (dC_ds * s).sum(axis=-1, keepdims=True))


#: Each activation's name → (σ, σ′), for layers, widgets and the exercise checks.
ACTIVATIONS = {
    "sigmoid": (sigmoid, sigmoid_prime),
    "tanh": (tanh, tanh_prime),
    "relu": (relu, relu_prime),
    "elu": (elu, elu_prime),
}
