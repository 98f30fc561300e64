"""Autograd speed: one epoch of training the digits MLP with nl.autograd.Tensor gradients against the
same epoch with nnlab's hand-written backward passes, in the same run.

The digits (1797 × 64, float64), chapter 08's network 64-256-10 with ReLU, softmax cross-entropy,
Adam (η = 1e-3), batch 32, the batches in a fixed order (57 steps). Every contender does per batch:
forward, cost, gradients, opt.step(); only the way the gradients are obtained differs.

| contender | gradients from |
| hand      | the layers' kernels, as nl.fit runs them (model._forward, loss._forward, model._backward) |
| loop      | the chapter-06 loop: model.forward, loss.forward, model.zero_grad(), model.backward(...) |
| autograd  | model.zero_grad(); nl.autograd.backward(model, loss, xb, yb): the model rebuilt from Tensor ops |
| tensor    | the MLP written inline with Tensor ops (x @ W1.T + b1 …), C.backward(), grads copied |

Target: autograd ≤ 3 × hand.

Run: python benchmarks/run.py --only autograd   (or python benchmarks/autodiff.py)
"""

from __future__ import annotations

import numpy as np

from _common import race, table, verdict

import nnlab as nl
from nnlab.autograd import Tensor, parameter_tensors

N_HIDDEN, BATCH, LR = 256, 32, 1e-3
TARGET = 3.0


def _model():
    rng = np.random.default_rng(0)
    model = nl.Sequential(nl.Dense(64, N_HIDDEN, rng=rng), nl.ReLU(), nl.Dense(N_HIDDEN, 10, rng=rng))
    return model, nl.SoftmaxCrossEntropy(), nl.Adam(model.parameters(), lr=LR)


def contenders(X, y) -> dict:
    batches = [(X[i:i + BATCH], y[i:i + BATCH]) for i in range(0, len(X), BATCH)]

    m_hand, l_hand, o_hand = _model()

    def hand():
        for xb, yb in batches:
            z = m_hand._forward(xb)
            l_hand._forward(z, yb)
            m_hand.zero_grad()
            m_hand._backward(l_hand.backward(), False)
            o_hand.step()

    m_loop, l_loop, o_loop = _model()

    def loop():
        for xb, yb in batches:
            z = m_loop.forward(xb)
            l_loop.forward(z, yb)
            m_loop.zero_grad()
            m_loop.backward(l_loop.backward())
            o_loop.step()

    m_auto, l_auto, o_auto = _model()

    def autograd():
        for xb, yb in batches:
            m_auto.zero_grad()
            nl.autograd.backward(m_auto, l_auto, xb, yb)
            o_auto.step()

    m_tens, _, o_tens = _model()
    params = m_tens.parameters()

    def tensor():
        for xb, yb in batches:
            W1, b1, W2, b2 = parameter_tensors(m_tens)
            z = (xb @ W1.T + b1).relu() @ W2.T + b2
            s = z - z.data.max(axis=1, keepdims=True)
            C = (s.exp().sum(axis=1).log() - s[np.arange(len(yb)), yb]).mean()
            C.backward()
            for p, t in zip(params, (W1, b1, W2, b2)):
                p.grad = t.grad
            o_tens.step()

    return {"hand": hand, "loop": loop, "autograd": autograd, "tensor": tensor}


def run(repeat: int = 15, log=print) -> dict:
    X, y = nl.data.load_digits()
    X = np.ascontiguousarray(X, dtype=np.float64)
    best = race(contenders(X, y), repeat=repeat, warmup=2)
    steps = -(-len(X) // BATCH)
    rows = []
    for name in ("hand", "loop", "autograd", "tensor"):
        r = best[name] / best["hand"]
        target = f"≤ {TARGET}" if name == "autograd" else ""
        rows.append([name, f"{1e3 * best[name]:.1f}", f"{1e6 * best[name] / steps:.0f}", f"{r:.2f}", target,
                     verdict(r <= TARGET) if name == "autograd" else ""])
    log(table(["gradients", "epoch ms", "µs/step", "× hand", "target", "result"], rows,
              title=f"6. Autograd: one epoch of the digits MLP 64-{N_HIDDEN}-10, ReLU, softmax cross-entropy, "
                    f"Adam, batch {BATCH} ({steps} steps), float64, best of {repeat} in turns"))
    log("hand = the layers' kernels as nl.fit calls them;  loop = the chapter-06 loop (public, checked methods);")
    log("autograd = nl.autograd.backward(model, loss, xb, yb);  tensor = the MLP written inline with Tensor ops")
    return {k: v for k, v in best.items()}


if __name__ == "__main__":
    from _common import machine_line
    print(machine_line())
    run()
