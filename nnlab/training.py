"""The training loop the course teaches, with history, validation, schedules, callbacks and progress.

One epoch of `fit` is exactly the loop of chapter 06, run over shuffled mini-batches:

    for xb, yb in minibatches(X, y, batch_size, rng=rng):
        z = model.forward(xb)
        C = loss.forward(z, yb)
        model.zero_grad()
        model.backward(loss.backward())
        opt.step()

`fit` checks the data once up front and then calls the layers' unchecked kernels, so the checks
cost nothing per batch. It also skips ∂C/∂x for the input layer, which training never uses.

Chapter 08.
"""

from __future__ import annotations

import math
import sys
import time

import numpy as np

from ._validate import (all_finite, as_batch, as_labels, check_choice, check_int, check_rng, describe, fail,
                        shape_text)
from .layer import Layer
from .losses import Loss, SoftmaxCrossEntropy
from .optim import Optimizer


class TrainingDiverged(RuntimeError):
    """The cost became NaN or infinite during `fit(..., on_nan="raise")`; `.history` has the epochs so far."""

    def __init__(self, message: str, history: "History"):
        super().__init__(message)
        self.history = history


class History:
    """What `fit` measured, one entry per epoch.

    Keys (each a list, also readable as attributes): "epoch" (1, 2, …), "loss" (mean training cost
    over the epoch's batches), "accuracy" (training accuracy over those batches, classification
    only), "val_loss", "val_accuracy" (after the epoch, in eval mode, when validation data is given),
    "lr" (η at the epoch's last step), "time" (seconds). `stopped` says why training ended early, or
    is None.
    """

    def __init__(self):
        self._logs: dict[str, list] = {}
        self.stopped: str | None = None

    def append(self, logs: dict) -> None:
        for key, value in logs.items():
            self._logs.setdefault(key, []).append(value)

    def __getitem__(self, key: str) -> list:
        try:
            return self._logs[key]
        except KeyError:
            fail("History", f"a key among {', '.join(map(repr, self._logs)) or 'none yet'}",
                 repr(key), error=KeyError)

    def __getattr__(self, key: str) -> list:
        if key.startswith("_"):
            raise AttributeError(key)
        if key in self._logs:
            return self._logs[key]
        raise AttributeError(f"History has no {key!r}; it has {', '.join(self._logs) or 'nothing yet'}")

    def __contains__(self, key) -> bool:
        return key in self._logs

    def __len__(self) -> int:
        return len(self._logs.get("epoch", []))

    def keys(self):
        return list(self._logs)

    def last(self) -> dict:
        """The last epoch's logs as a dict."""
        return {k: v[-1] for k, v in self._logs.items() if v}

    def table(self, every: int = 1) -> str:
        """The history as a fixed-precision text table (every `every`-th epoch and the last)."""
        keys = [k for k in ("epoch", "loss", "accuracy", "val_loss", "val_accuracy", "lr") if k in self]
        lines = ["  ".join(f"{k:>12}" for k in keys)]
        n = len(self)
        for i in range(n):
            if i % every and i != n - 1:
                continue
            cells = []
            for k in keys:
                v = self._logs[k][i]
                cells.append(f"{v:>12d}" if k == "epoch" else f"{v:>12.4g}" if k == "lr" else f"{v:>12.4f}")
            lines.append("  ".join(cells))
        if self.stopped:
            lines.append(f"stopped: {self.stopped}")
        return "\n".join(lines)

    def __repr__(self):
        last = ", ".join(f"{k}={v:.4f}" for k, v in self.last().items() if k not in ("epoch", "time", "lr"))
        return f"History({len(self)} epochs{': ' + last if last else ''})"


class EarlyStopping:
    """Callback: stop when `monitor` has not improved for `patience` epochs; optionally restore the best weights.

    mode "min" (lower is better), "max", or "auto": "min" for names containing "loss", else "max".

    Use: ``fit(..., callbacks=[EarlyStopping(model, patience=5)])``.  Chapter 09.
    """

    def __init__(self, model: Layer, monitor: str = "val_loss", patience: int = 5,
                 restore_best: bool = True, mode: str = "auto"):
        self.model, self.monitor = model, monitor
        self.patience = check_int(patience, "EarlyStopping", "patience", minimum=0)
        self.restore_best = restore_best
        check_choice(mode, "EarlyStopping", "mode", ("auto", "min", "max"))
        self.mode = ("min" if "loss" in monitor else "max") if mode == "auto" else mode
        self.best, self.best_epoch, self._weights = None, None, None

    def __call__(self, epoch: int, logs: dict) -> bool:
        if self.monitor not in logs:
            fail("EarlyStopping", f"the monitored value {self.monitor!r} in the epoch logs",
                 f"only {', '.join(logs)}", "pass validation=(X_val, y_val) to fit.")
        value = logs[self.monitor]
        better = self.best is None or (value < self.best if self.mode == "min" else value > self.best)
        if better:
            self.best, self.best_epoch = value, epoch
            if self.restore_best:
                self._weights = [p.data.copy() for p in self.model.parameters()]
            return False
        if epoch - self.best_epoch >= self.patience:
            if self.restore_best and self._weights is not None:
                for p, w in zip(self.model.parameters(), self._weights):
                    p.data[...] = w
            return True
        return False


def _progress(total: int, enabled):
    """A tqdm bar: a widget in a Jupyter notebook (if ipywidgets is installed), text elsewhere."""
    if not enabled:
        return None
    in_notebook = False
    shell = sys.modules.get("IPython") and getattr(sys.modules["IPython"], "get_ipython", lambda: None)()
    if shell is not None and type(shell).__name__ == "ZMQInteractiveShell":
        try:
            import ipywidgets  # noqa: F401
            in_notebook = True
        except ImportError:
            in_notebook = False
    if in_notebook:
        from tqdm.notebook import tqdm
    else:
        from tqdm import tqdm
    return tqdm(total=total, unit="epoch", leave=True)


def _check_model_loss_opt(model, loss, opt, where):
    if not isinstance(model, Layer):
        fail(where, "model must be an nnlab layer or Sequential", describe(model), error=TypeError)
    if not isinstance(loss, Loss):
        fail(where, "loss must be an nnlab loss (SquaredError(), SoftmaxCrossEntropy())", describe(loss),
             "create it with parentheses: nl.SoftmaxCrossEntropy().", error=TypeError)
    if opt is not None and not isinstance(opt, Optimizer):
        fail(where, "opt must be an nnlab optimizer (SGD, RMSProp, Adam)", describe(opt), error=TypeError)


def _data(model, loss, X, y, where, xname="X", yname="y"):
    X = as_batch(X, where, xname, model.n_in, dtype=model.dtype, ndim=model.input_ndim)
    if isinstance(loss, SoftmaxCrossEntropy):
        y = as_labels(y, where, yname, n=X.shape[0], n_classes=model.n_out)
    else:
        y = as_batch(y, where, yname, model.n_out, dtype=X.dtype)
        if y.shape[0] != X.shape[0]:
            fail(where, f"{yname} must have one row per example of {xname}, {X.shape[0]} rows",
                 f"shape {shape_text(y.shape)}")
    return X, y


def fit(model: Layer, loss: Loss, opt: Optimizer, X, y, *, epochs: int, batch_size: int = 32,
        rng: np.random.Generator, validation=None, schedule=None, callbacks=(), progress=True,
        live_plot=False, on_nan: str = "stop", shuffle: bool = True) -> History:
    """Train `model` on (X, y) with mini-batch gradient descent and return the History.

    Parameters
    ----------
    model, loss, opt : the network, its cost and the optimizer built on model.parameters()
    X : (N, n_in);  y : (N,) labels for SoftmaxCrossEntropy, (N, n_out) targets for SquaredError
    epochs : number of passes over the data
    batch_size : examples per gradient step (the last batch of an epoch may be smaller)
    rng : shuffles the examples each epoch
    validation : (X_val, y_val) evaluated after every epoch in eval mode, or None
    schedule : a function of the step number giving η (replaces opt.lr), or None
    callbacks : functions ``callback(epoch, logs) -> bool`` called after every epoch; True stops
    progress : show a progress bar with the loss and accuracy (a widget in notebooks, text in a terminal)
    live_plot : True to redraw the loss curves in place while training (notebooks; needs matplotlib),
        or an nl.plotting.LiveLossPlot for other keys; False (default) for none
    on_nan : "stop" (print why and return the history so far) or "raise" (TrainingDiverged)

    The model is trained in train mode and returned to the mode it had before. X and y are not
    modified.  Chapter 08.
    """
    where = "nnlab.fit"
    _check_model_loss_opt(model, loss, opt, where)
    epochs = check_int(epochs, where, "epochs")
    batch_size = check_int(batch_size, where, "batch_size")
    check_rng(rng, where)
    check_choice(on_nan, where, "on_nan", ("stop", "raise"))
    X, y = _data(model, loss, X, y, where)
    if validation is not None:
        if not (isinstance(validation, (tuple, list)) and len(validation) == 2):
            fail(where, "validation must be a pair (X_val, y_val)", describe(validation), error=TypeError)
        X_val, y_val = _data(model, loss, *validation, where, "X_val", "y_val")
    if schedule is not None:
        if not callable(schedule):
            fail(where, "schedule must be a function of the step number", describe(schedule),
                 "e.g. nl.schedules.step_decay(0.1, drop=0.5, every=1000).", error=TypeError)
        opt.lr = schedule
    callbacks = list(callbacks)
    for cb in callbacks:
        if not callable(cb):
            fail(where, "each callback must be callable as callback(epoch, logs)", describe(cb),
                 error=TypeError)

    plot = _live_plot(live_plot, where)
    classify = isinstance(loss, SoftmaxCrossEntropy)
    history = History()
    bar = _progress(epochs, progress)
    was_training = model.training
    model.train()
    try:
        for epoch in range(1, epochs + 1):
            start = time.perf_counter()
            order = rng.permutation(X.shape[0]) if shuffle else None
            try:
                logs = {"epoch": epoch, **_train_epoch(model, loss, opt, X, y, batch_size, order, classify)}
            except _NonFinite as bad:
                message = (f"{bad.what} at epoch {epoch}, batch {bad.batch} (step {opt.t}) with learning "
                           f"rate {bad.lr:.4g}. Hint: the steps are too large; try a learning rate about "
                           f"10 times smaller, e.g. {bad.lr / 10:.4g}.")
                history.stopped = message
                if on_nan == "raise":
                    raise TrainingDiverged(f"{where}: {message}", history) from None
                print(f"Training stopped: {message}")
                break
            if validation is not None:
                logs.update({f"val_{k}": v for k, v in
                             evaluate(model, loss, X_val, y_val, _checked=True).items()})
            logs["lr"] = logs.pop("lr")                  # keys in a fixed order: lr and time last
            logs["time"] = time.perf_counter() - start
            history.append(logs)
            if bar is not None:
                bar.set_postfix({k: f"{v:.4f}" for k, v in logs.items()
                                 if k in ("loss", "accuracy", "val_loss", "val_accuracy")}, refresh=False)
                bar.update(1)
            if plot is not None:
                plot.update(history)
            stop = [cb for cb in callbacks if cb(epoch, dict(logs))]
            if stop:
                history.stopped = f"{describe_callback(stop[0])} stopped training after epoch {epoch}"
                break
    finally:
        if bar is not None:
            bar.close()
        if plot is not None:
            plot.finish(history)
        model.train() if was_training else model.eval()
    return history


def _live_plot(live_plot, where):
    """fit's live_plot argument as a LiveLossPlot, or None."""
    if live_plot is False or live_plot is None:
        return None
    if live_plot is True:
        try:
            from .plotting import LiveLossPlot
        except ImportError:
            fail(where, "matplotlib for live_plot=True", "matplotlib is not installed",
                 "pip install matplotlib, or leave live_plot=False.", error=ImportError)
        return LiveLossPlot()
    if not (callable(getattr(live_plot, "update", None)) and callable(getattr(live_plot, "finish", None))):
        fail(where, "live_plot must be True, False or an nl.plotting.LiveLossPlot", describe(live_plot),
             error=TypeError)
    return live_plot


class _NonFinite(Exception):
    def __init__(self, what, batch, lr):
        self.what, self.batch, self.lr = what, batch, lr


def _train_epoch(model, loss, opt, X, y, batch_size, order, classify) -> dict:
    """One pass over the data in mini-batches (in `order`, or as stored): the loop of chapter 06.

    Returns the epoch's mean cost, accuracy and last η; raises _NonFinite when the cost or a weight
    stops being a finite number (numpy's overflow warnings on the way there are silenced: fit says
    it in words instead).
    """
    N = X.shape[0]
    total_C, correct, lr_now = 0.0, 0, opt.current_lr()
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for batch, i in enumerate(range(0, N, batch_size), start=1):
            if order is None:
                xb, yb = X[i:i + batch_size], y[i:i + batch_size]
            else:
                idx = order[i:i + batch_size]
                xb, yb = X.take(idx, axis=0), y.take(idx, axis=0)
            lr_now = opt.current_lr()
            z = model._forward(xb)
            C = loss._forward(z, yb)
            if not math.isfinite(C):
                raise _NonFinite(f"the cost became {C}", batch, lr_now)
            model.zero_grad()
            model._backward(loss.backward(), False)   # ∂C/∂x of the input layer is never needed
            opt.step()
            total_C += C * xb.shape[0]
            if classify:
                correct += int(np.count_nonzero(z.argmax(axis=1) == yb))
        if not all(all_finite(p.data) for p in model.parameters()):
            raise _NonFinite("a weight became infinite or NaN", batch, lr_now)
    logs = {"loss": total_C / N}
    if classify:
        logs["accuracy"] = correct / N
    logs["lr"] = lr_now
    return logs


def describe_callback(cb) -> str:
    return getattr(cb, "__name__", type(cb).__name__)


def predict(model: Layer, X, *, batch_size: int = 4096) -> np.ndarray:
    """The network's output for every row of X, computed in eval mode: (N, n_in) → (N, n_out).

    For a classifier, `predict(model, X).argmax(axis=1)` gives the predicted classes. Chapter 08.
    """
    where = "nnlab.predict"
    if not isinstance(model, Layer):
        fail(where, "model must be an nnlab layer or Sequential", describe(model), error=TypeError)
    X = as_batch(X, where, "X", model.n_in, dtype=model.dtype, ndim=model.input_ndim)
    batch_size = check_int(batch_size, where, "batch_size")
    was_training = model.training
    model.eval()
    try:
        return np.concatenate([model._forward(X[i:i + batch_size]) for i in range(0, X.shape[0], batch_size)])
    finally:
        if was_training:
            model.train()


def evaluate(model: Layer, loss: Loss, X, y, *, batch_size: int = 4096, _checked: bool = False) -> dict:
    """Cost (and accuracy, for classification) of the model on (X, y), in eval mode.

    Returns {"loss": C, "accuracy": fraction correct} ("accuracy" only with SoftmaxCrossEntropy).
    Chapter 08.
    """
    where = "nnlab.evaluate"
    if not _checked:
        _check_model_loss_opt(model, loss, None, where)
        X, y = _data(model, loss, X, y, where)
        batch_size = check_int(batch_size, where, "batch_size")
    was_training = model.training
    model.eval()
    try:
        total_C, correct = 0.0, 0
        for i in range(0, X.shape[0], batch_size):
            xb, yb = X[i:i + batch_size], y[i:i + batch_size]
            z = model._forward(xb)
            total_C += loss._forward(z, yb) * xb.shape[0]
            if isinstance(loss, SoftmaxCrossEntropy):
                correct += int(np.count_nonzero(z.argmax(axis=1) == yb))
    finally:
        if was_training:
            model.train()
    out = {"loss": total_C / X.shape[0]}
    if isinstance(loss, SoftmaxCrossEntropy):
        out["accuracy"] = correct / X.shape[0]
    return out
