"""Optimizers: turn the gradients in each Parameter's `grad` into an update of its `data`.

    SGD          w ← w − η ∇C                       (momentum μ > 0:  v ← μ v − η ∇C,  w ← w + v)
    RMSProp      s ← ρ s + (1 − ρ) (∇C)²,           w ← w − η ∇C / (√s + ε)
    Adam         t ← t + 1   (t = 1 at the first step)
                 m ← β₁ m + (1 − β₁) ∇C,            v ← β₂ v + (1 − β₂) (∇C)²
                 m̂ = m / (1 − β₁^t),  v̂ = v / (1 − β₂^t),  w ← w − η m̂ / (√v̂ + ε)

Weight decay λ (`weight_decay`, every optimizer, default 0): ∇C is replaced by g = ∇C + λ w in
the formulas above, before momentum, s, m and v see it. This is the gradient of the L2-penalised
cost C + (λ/2) Σ w² and exactly what `weight_decay` means in torch.optim.SGD, RMSprop and Adam.
Each Parameter's `grad` is read, never changed: the decayed gradient lives in the optimizer's own
buffer, as in PyTorch. λ = 0 skips that step, so the numbers are bit for bit those without it.

State (v, s, m) lives in lists aligned with the parameters, one array per Parameter. The learning
rate η (`lr`) is a number or a schedule: a function of the step number t = 0, 1, 2, … (see
nnlab.schedules) evaluated before each step.

Chapter 05 (SGD), chapter 06 (momentum, RMSProp, Adam), chapter 09 (weight decay).
"""

from __future__ import annotations

import numbers

import numpy as np

from ._validate import check_float, describe, fail
from .parameter import Parameter


class Optimizer:
    """Base class: holds the parameters, the learning rate and the step counter `t`."""

    def __init__(self, params, lr, *, weight_decay: float = 0.0):
        where = f"{type(self).__name__}"
        params = list(params) if not isinstance(params, Parameter) else [params]
        if not params:
            fail(where, "a non-empty list of Parameters", "an empty list",
                 "pass model.parameters().")
        for i, p in enumerate(params):
            if not isinstance(p, Parameter):
                fail(where, f"params[{i}] must be an nnlab Parameter", describe(p),
                     "pass model.parameters(), not the arrays themselves.", error=TypeError)
        if len({id(p) for p in params}) != len(params):
            fail(where, "each Parameter once", "a Parameter listed twice",
                 "a shared layer contributes its parameters once.")
        self.params = params
        self.lr = lr
        self._decayed = None  # buffers for g = ∇C + λ w, allocated at the first step with λ > 0
        self.weight_decay = weight_decay
        self.t = 0  # number of steps taken so far

    @property
    def lr(self):
        """η: a positive number, or a schedule (a function of the step number)."""
        return self._lr

    @lr.setter
    def lr(self, value):
        where = f"{type(self).__name__}"
        if not callable(value):
            check_float(value, where, "lr", low=0.0, low_open=True,
                        hint="typical values are 0.01–0.5 for SGD and 1e-3 for Adam.")
        self._lr = value

    @property
    def weight_decay(self) -> float:
        """λ ≥ 0: each step uses the gradient ∇C + λ w of the cost C + (λ/2) Σ w²  (0: no decay)."""
        return self._weight_decay

    @weight_decay.setter
    def weight_decay(self, value):
        self._weight_decay = check_float(
            value, type(self).__name__, "weight_decay", low=0.0,
            hint="λ ≥ 0 pulls every weight towards 0 (the gradient of the L2 penalty (λ/2) Σ w²); "
                 "typical values are 1e-5 to 1e-3, and 0 turns weight decay off.")

    def _gradient(self, i: int, p: Parameter) -> np.ndarray:
        """The gradient step i uses for parameter p: p.grad, or p.grad + λ p.data when λ > 0.

        The sum is written into the optimizer's own buffer (PyTorch's grad.add(param, alpha=λ)),
        so p.grad stays what backward accumulated.
        """
        if not self._weight_decay:
            return p.grad
        if self._decayed is None:
            self._decayed = [np.empty_like(q.data) for q in self.params]
        g = np.multiply(p.data, self._weight_decay, out=self._decayed[i])
        g += p.grad
        return g

    def current_lr(self) -> float:
        """η for the next step: `lr`, or `lr(t)` when lr is a schedule."""
        if callable(self._lr):
            eta = self._lr(self.t)
            if not isinstance(eta, numbers.Real) or not np.isfinite(eta) or eta < 0:
                fail(f"{type(self).__name__}.step", "the schedule must return a number ≥ 0",
                     f"{eta!r} at step {self.t}")
            return float(eta)
        return float(self._lr)

    def step(self) -> None:
        """Update every parameter from its `grad`, then advance the step counter t."""
        eta = self.current_lr()
        for i, p in enumerate(self.params):
            self._update(i, p, eta)
        self.t += 1

    def zero_grad(self) -> None:
        """Reset every parameter's gradient (same as model.zero_grad())."""
        for p in self.params:
            p.zero_grad()

    def _update(self, i: int, p: Parameter, eta: float) -> None:
        raise NotImplementedError


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with (heavy-ball) momentum.

    μ = 0:  w ← w − η g
    μ > 0:  v ← μ v − η g,    w ← w + v        (v starts at 0; the CS231n/Nielsen form)
    g = ∇C + λ w  with weight decay λ (`weight_decay`), g = ∇C when λ = 0 (the default).

    With λ > 0 and μ = 0 the step is w ← (1 − ηλ) w − η ∇C: each weight shrinks by the factor
    (1 − ηλ) before the gradient step, hence the name. torch.optim.SGD(params, lr, momentum,
    weight_decay=λ) takes the same steps: it keeps b ← μ b + g, w ← w − η b, which is the form
    above with v = −η b while η is constant (with a schedule, a change of η there rescales all of
    b at once, here only the new step). The decay applies to every Parameter given, biases
    included, as in PyTorch; to decay only the weights, give the biases to a second SGD with λ = 0.

    Chapter 05, 06; weight decay chapter 09.
    """

    def __init__(self, params, lr, momentum: float = 0.0, *, weight_decay: float = 0.0):
        super().__init__(params, lr, weight_decay=weight_decay)
        self.momentum = check_float(momentum, "SGD", "momentum", low=0.0, high=1.0, high_open=True,
                                    hint="0.9 is the usual choice.")
        self.velocity = [np.zeros_like(p.data) for p in self.params] if self.momentum else None
        self._scratch = [np.empty_like(p.data) for p in self.params]

    def _update(self, i, p, eta):
        step = np.multiply(self._gradient(i, p), eta, out=self._scratch[i])   # η g, without allocating
        if self.momentum:
            v = self.velocity[i]
            v *= self.momentum
            v -= step
            p.data += v
        else:
            p.data -= step


class RMSProp(Optimizer):
    """RMSProp: divide each step by a running root-mean-square of recent gradients.

    s ← ρ s + (1 − ρ) g²,   w ← w − η g / (√s + ε)        (s starts at 0)
    g = ∇C + λ w  with weight decay λ (`weight_decay`), g = ∇C when λ = 0 (the default).

    torch.optim.RMSprop(params, lr, alpha=ρ, eps=ε, weight_decay=λ) takes the same steps (ε is
    added to √s, not to s, in both).

    Chapter 06.
    """

    def __init__(self, params, lr: float = 1e-3, rho: float = 0.9, eps: float = 1e-8, *,
                 weight_decay: float = 0.0):
        super().__init__(params, lr, weight_decay=weight_decay)
        self.rho = check_float(rho, "RMSProp", "rho", low=0.0, high=1.0, high_open=True)
        self.eps = check_float(eps, "RMSProp", "eps", low=0.0, low_open=True)
        self.s = [np.zeros_like(p.data) for p in self.params]
        self._scratch = [np.empty_like(p.data) for p in self.params]

    def _update(self, i, p, eta):
        g, s, buf = self._gradient(i, p), self.s[i], self._scratch[i]
        np.multiply(g, g, out=buf)
        buf -= s
        buf *= 1.0 - self.rho
        s += buf                                            # s = ρ s + (1 − ρ) g²
        np.sqrt(s, out=buf)
        buf += self.eps
        np.divide(g, buf, out=buf)
        buf *= eta
        p.data -= buf                                       # w −= η g / (√s + ε)


class Adam(Optimizer):
    """Adam: momentum (m) and RMSProp (v) together, with bias correction for their zero start.

    t ← t + 1  (so t = 1 at the first step)
    m ← β₁ m + (1 − β₁) g,          v ← β₂ v + (1 − β₂) g²
    m̂ = m / (1 − β₁^t),  v̂ = v / (1 − β₂^t),   w ← w − η m̂ / (√v̂ + ε)
    g = ∇C + λ w  with weight decay λ (`weight_decay`), g = ∇C when λ = 0 (the default).

    torch.optim.Adam(params, lr, betas=(β₁, β₂), eps=ε, weight_decay=λ) takes the same steps.
    This is L2 regularisation: λ w goes through m and v like the rest of the gradient, so it is
    rescaled by 1/(√v̂ + ε) too. AdamW (torch.optim.AdamW) decouples the two,
    w ← w − ηλ w − η m̂ / (√v̂ + ε); nnlab has only the coupled form.

    Chapter 06; weight decay chapter 09.
    """

    def __init__(self, params, lr=1e-3, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8, *,
                 weight_decay: float = 0.0):
        super().__init__(params, lr, weight_decay=weight_decay)
        self.beta1 = check_float(beta1, "Adam", "beta1", low=0.0, high=1.0, high_open=True)
        self.beta2 = check_float(beta2, "Adam", "beta2", low=0.0, high=1.0, high_open=True)
        self.eps = check_float(eps, "Adam", "eps", low=0.0, low_open=True)
        self.m = [np.zeros_like(p.data) for p in self.params]
        self.v = [np.zeros_like(p.data) for p in self.params]
        self._scratch = [np.empty_like(p.data) for p in self.params]

    def step(self) -> None:
        eta = self.current_lr()
        t = self.t + 1
        step_size = eta / (1.0 - self.beta1 ** t)           # η / (1 − β₁^t) applied to m
        root_correction = np.sqrt(1.0 - self.beta2 ** t)     # √v̂ = √v / √(1 − β₂^t)
        for i, p in enumerate(self.params):
            g, m, v, buf = self._gradient(i, p), self.m[i], self.v[i], self._scratch[i]
            np.subtract(g, m, out=buf)
            buf *= 1.0 - self.beta1
            m += buf                                         # m = β₁ m + (1 − β₁) g
            np.multiply(g, g, out=buf)
            buf -= v
            buf *= 1.0 - self.beta2
            v += buf                                         # v = β₂ v + (1 − β₂) g²
            np.sqrt(v, out=buf)
            buf /= root_correction
            buf += self.eps                                  # √v̂ + ε
            np.divide(m, buf, out=buf)
            buf *= step_size
            p.data -= buf                                    # w −= η m̂ / (√v̂ + ε)
        self.t = t
