"""nnlab's networks and losses rewritten with Tensor operations, so autograd can differentiate them.

    rng = np.random.default_rng(0)
    model = nl.Sequential(nl.Dense(64, 32, rng=rng), nl.ReLU(), nl.Dense(32, 10, rng=rng))
    C, dC_dtheta, dC_dx = nl.autograd.gradients(model, nl.SoftmaxCrossEntropy(), X, y)
    # dC_dtheta[k] is ∂C/∂model.parameters()[k], computed by autograd instead of by the layers'
    # hand-written backward passes: the two agree to rounding (chapter 12 measures it)

Each layer becomes the few Tensor operations of its forward formula, using Tensors that *share*
the memory of the layer's Parameters (nothing is copied, nothing is written):

    Dense       a @ W.T + b
    Sigmoid, Tanh, ReLU     a.sigmoid(), a.tanh(), a.relu()
    ELU         relu(z) + α (exp(−relu(−z)) − 1)          (= z for z > 0, α(eᶻ − 1) otherwise)
    Softmax     e / Σ e with e = exp(z − max z)           (the shift is a constant: same gradient)
    Dropout     a · mask / (1 − p_drop) with the mask of the layer's last forward pass (identity in eval)
    Residual    a + F(a);     Sequential: the layers in order
    RNN         h_t = tanh(x_t W_xᵀ + h_{t−1} W_hᵀ + b)
    LSTM        z_t = x_t W_xᵀ + h_{t−1} W_hᵀ + b;  i, f, o = σ(·), g = tanh(·);
                c_t = f c_{t−1} + i g;  h_t = o tanh(c_t)
    LastStep    h[:, −1];   TimeDistributed(F): F on a.reshape(N·T, n), reshaped back

Chapter 12.
"""

from __future__ import annotations

import numpy as np

from .._validate import as_batch, as_labels, describe, fail
from ..activation_layers import ELU, ReLU, Sigmoid, Softmax, Tanh
from ..dense import Dense
from ..dropout import Dropout
from ..layer import Layer
from ..losses import Loss, SoftmaxCrossEntropy, SquaredError
from ..model import Sequential
from ..recurrent import LSTM, RNN
from ..residual import Residual
from ..sequence import LastStep, TimeDistributed
from .tensor import Tensor, stack


def parameter_tensors(model: Layer) -> list[Tensor]:
    """One leaf Tensor per Parameter of `model`, in `model.parameters()` order, sharing its data."""
    if not isinstance(model, Layer):
        fail("nnlab.autograd.parameter_tensors", "model must be an nnlab layer or Sequential",
             describe(model), error=TypeError)
    return [Tensor(p.data, label=p.name) for p in model.parameters()]


def forward(model: Layer, x, params: list[Tensor] | None = None) -> Tensor:
    """The model's output as a Tensor expression of its parameters (and of x, if x is a Tensor).

    params : Tensors standing for model.parameters(), in that order (default: parameter_tensors(model)).
    After C.backward() on a cost built from the result, params[k].grad is ∂C/∂θ_k.
    """
    where = "nnlab.autograd.forward"
    if not isinstance(model, Layer):
        fail(where, "model must be an nnlab layer or Sequential", describe(model), error=TypeError)
    if params is None:
        params = parameter_tensors(model)
    theta = model.parameters()
    if len(params) != len(theta) or not all(isinstance(t, Tensor) for t in params):
        fail(where, f"params must be {len(theta)} Tensors, one per model.parameters()",
             describe(params), "use nl.autograd.parameter_tensors(model).", error=TypeError)
    tensors = {id(p): t for p, t in zip(theta, params)}
    return _forward(model, x, lambda p: tensors[id(p)])


def _forward(layer, a, T):
    """Dispatch on the layer type; T(parameter) gives the Tensor standing for a Parameter."""
    if isinstance(layer, Sequential):
        for inner in layer.layers:
            a = _forward(inner, a, T)
        return a
    if isinstance(layer, Dense):
        return a @ T(layer.W).T + T(layer.b)
    if isinstance(layer, Sigmoid):
        return _tensor(a).sigmoid()
    if isinstance(layer, Tanh):
        return _tensor(a).tanh()
    if isinstance(layer, ReLU):
        return _tensor(a).relu()
    if isinstance(layer, ELU):
        a = _tensor(a)
        return a.relu() + layer.alpha * ((-(-a).relu()).exp() - 1.0)
    if isinstance(layer, Softmax):
        a = _tensor(a)
        e = (a - a.data.max(axis=1, keepdims=True)).exp()
        return e / e.sum(axis=1, keepdims=True)
    if isinstance(layer, Dropout):
        if not layer.training or layer.p_drop == 0.0:
            return a
        if layer.mask is None or layer.mask.shape != np.shape(_data(a)):
            fail("nnlab.autograd.forward", "a Dropout layer in eval mode, or one whose last forward "
                 "pass used a batch of this shape (its mask is reused)", f"{layer!r} in training mode",
                 "call model.eval(), or run model.forward(x) first so that the mask exists.")
        return a * (layer.mask / (1.0 - layer.p_drop))
    if isinstance(layer, Residual):
        return a + _forward(layer.block, a, T)
    if isinstance(layer, RNN):
        return _rnn(layer, a, T)
    if isinstance(layer, LSTM):
        return _lstm(layer, a, T)
    if isinstance(layer, LastStep):
        return _tensor(a)[:, -1]
    if isinstance(layer, TimeDistributed):
        N, steps, n = np.shape(_data(a))
        out = _forward(layer.block, _tensor(a).reshape(N * steps, n), T)
        return out.reshape(N, steps, out.shape[1])
    fail("nnlab.autograd.forward", "a layer with a Tensor rule (Dense, Sigmoid, Tanh, ReLU, ELU, "
         "Softmax, Dropout, Residual, Sequential, RNN, LSTM, LastStep, TimeDistributed)",
         repr(layer), error=TypeError)


def _rnn(layer, x, T):
    W_x, W_h, b = T(layer.W_x), T(layer.W_h), T(layer.b)
    N, steps, _ = np.shape(_data(x))
    h = Tensor(np.zeros((N, layer.n_hidden), dtype=layer.W_x.data.dtype))   # h_0 = 0
    hs = []
    for t in range(steps):
        h = (x[:, t] @ W_x.T + h @ W_h.T + b).tanh()
        hs.append(h)
    return stack(hs, axis=1)


def _lstm(layer, x, T):
    W_x, W_h, b = T(layer.W_x), T(layer.W_h), T(layer.b)
    N, steps, _ = np.shape(_data(x))
    H = layer.n_hidden
    dt = layer.W_x.data.dtype
    h = Tensor(np.zeros((N, H), dtype=dt))                                  # h_0 = 0
    c = Tensor(np.zeros((N, H), dtype=dt))                                  # c_0 = 0
    hs = []
    for t in range(steps):
        z = x[:, t] @ W_x.T + h @ W_h.T + b
        i, f = z[:, :H].sigmoid(), z[:, H:2 * H].sigmoid()
        g, o = z[:, 2 * H:3 * H].tanh(), z[:, 3 * H:].sigmoid()
        c = f * c + i * g
        h = o * c.tanh()
        hs.append(h)
    return stack(hs, axis=1)


def _tensor(a):
    return a if isinstance(a, Tensor) else Tensor(a)


def _data(a):
    return a.data if isinstance(a, Tensor) else a


def cost(loss: Loss, out: Tensor, y) -> Tensor:
    """The loss as a Tensor expression (a single number), the mean over the batch like nnlab's.

    SoftmaxCrossEntropy: s = z − max z (a constant shift), C = mean(log Σ_k e^{s_k} − s_y)
    SquaredError:        C = ½ Σ (a − y)² / N
    """
    out = _tensor(out)
    N = out.shape[0]
    if isinstance(loss, SoftmaxCrossEntropy):
        y = as_labels(y, "nnlab.autograd.cost", "y", n=N, n_classes=out.shape[1])
        s = out - out.data.max(axis=1, keepdims=True)
        return (s.exp().sum(axis=1).log() - s[np.arange(N), y]).mean()
    if isinstance(loss, SquaredError):
        diff = out - as_batch(y, "nnlab.autograd.cost", "y", out.shape[1], dtype=out.dtype)
        return (diff * diff).sum() * (0.5 / N)
    fail("nnlab.autograd.cost", "SoftmaxCrossEntropy or SquaredError", describe(loss), error=TypeError)


def gradients(model: Layer, loss: Loss, x, y, *, input_grad: bool = True):
    """C and its gradients by autograd: (C, [∂C/∂θ_k for θ_k in model.parameters()], ∂C/∂x).

    The same numbers as model.backward(loss.backward()) after loss.forward(model.forward(x), y),
    computed from the forward formulas alone. ∂C/∂x is None with input_grad=False (a little faster).
    The arrays are new; the model's own Parameter.grad is not touched.
    """
    C, params, xt = _differentiate(model, loss, x, y, input_grad, "nnlab.autograd.gradients")
    grads = [np.array(t.grad) for t in params]
    return C, grads, (np.array(xt.grad) if input_grad else None)


def backward(model: Layer, loss: Loss, x, y) -> float:
    """Autograd in place of the hand-written backward pass: returns C and adds ∂C/∂θ into every
    Parameter's grad, exactly where `model.backward(loss.backward())` puts it.

    So a training step with autograd reads
        model.zero_grad();  C = nl.autograd.backward(model, loss, xb, yb);  opt.step()
    """
    C, params, _ = _differentiate(model, loss, x, y, False, "nnlab.autograd.backward")
    for p, t in zip(model.parameters(), params):
        p.accumulate(t.grad)
    return C


def _differentiate(model, loss, x, y, input_grad, where):
    if not isinstance(model, Layer):
        fail(where, "model must be an nnlab layer or Sequential", describe(model), error=TypeError)
    x = as_batch(x, where, "x", model.n_in, dtype=model.dtype, ndim=model.input_ndim)
    params = parameter_tensors(model)
    xt = Tensor(x) if input_grad else x
    C = cost(loss, forward(model, xt, params), y)
    C.backward()
    return float(C.data), params, xt
