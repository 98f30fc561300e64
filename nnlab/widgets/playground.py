"""Playground: train a small network on a 2-D data set and watch the decision boundary form.

    nl.widgets.Playground()                                    # moons, two hidden layers of 8 tanh units
    nl.widgets.Playground("circles", hidden=())                # no hidden layer: one straight line
    nl.widgets.Playground("xor", hidden=(4,), loss="squared error")

In the spirit of the TensorFlow Playground, built on nnlab only: the data come from nl.data.make_*,
the network is an nl.Sequential of Dense layers and activations (with Dropout after each hidden
layer when p_drop > 0), and each epoch is one call of

    nl.fit(model, loss, opt, X_train, y_train, epochs=1, batch_size=..., rng=rng,
           validation=(X_val, y_val), progress=False, on_nan="raise")

Train runs epochs in a background thread (the notebook stays free to receive Pause) and redraws at
most every 0.25 s; Step trains one epoch; Reset rebuilds the data and the network from the controls
and the seed. The status line reads ``epoch n · loss … · val loss … · accuracy … · val accuracy …``.

Controls while training: the learning rate and the batch size apply from the next epoch, without
stopping. Every other control (data set, noise, hidden layers, activation, loss, dropout, optimizer,
seed) pauses training and resets: a new data set and a new network, at epoch 0.

Seeded: one Generator, np.random.default_rng(seed), draws everything in this order: the data, the
train/validation split (70/30), the initial weights layer by layer, then per epoch the shuffle and
the dropout masks. The same controls and seed give the same numbers.

Chapters 03, 04, 06, 07, 08.
"""

from __future__ import annotations

import functools
import threading
import time

import ipywidgets as W
import numpy as np

from .. import data as nl_data
from .._validate import check_choice, check_float, check_int, describe, fail
from ..activation_layers import ELU, ReLU, Sigmoid, Tanh
from ..dense import Dense
from ..diagnostics import gradient_norms
from ..dropout import Dropout
from ..losses import SoftmaxCrossEntropy, SquaredError
from ..model import Sequential
from ..optim import SGD, Adam
from ..plotting import CLASS_COLORS
from ..training import History, TrainingDiverged, evaluate, fit, predict
from ._base import Explorer, FigureView, labelled, root, status_line

#: data set name → (generator nl.data.make_*, its default noise)
DATASETS = {
    "xor": (nl_data.make_xor, 0.2),
    "moons": (nl_data.make_moons, 0.2),
    "circles": (nl_data.make_circles, 0.1),
    "spirals": (nl_data.make_spirals, 0.2),
}
#: activation name → (layer class, weight initialisation of the Dense layer before it)
ACTIVATIONS = {"tanh": (Tanh, "xavier"), "relu": (ReLU, "he"), "sigmoid": (Sigmoid, "xavier"),
               "elu": (ELU, "he")}
LOSSES = ("cross-entropy", "squared error")
OPTIMIZERS = ("sgd", "momentum", "adam")
MAX_LAYERS, MAX_WIDTH = 6, 64
DIVERGED_FACTOR = 1000.0    # a training loss this many times its value at epoch 0 counts as diverged
REDRAW_EVERY = 0.25          # seconds between redraws while training
GRID = 48                    # the decision picture is computed on a GRID × GRID grid


# --- pure functions: what the widget builds ----------------------------------------------------

def parse_hidden(text) -> tuple[int, ...]:
    """Hidden layer widths from text such as "8, 8" (two layers of 8), "4" or "" (no hidden layer).

    Also accepts a tuple or list of ints. Raises ValueError with a readable message on bad input.
    """
    where = "hidden layers"
    if isinstance(text, str):
        parts = [p.strip() for p in text.replace(";", ",").split(",")]
        parts = [p for p in parts if p]
        if parts in (["none"], ["0"]):
            parts = []
        sizes = []
        for p in parts:
            if not p.isdigit():
                fail(where, "whole numbers separated by commas, e.g. 8, 8 (or nothing for no hidden layer)",
                     repr(text))
            sizes.append(int(p))
    elif isinstance(text, (tuple, list)):
        sizes = list(text)
        for s in sizes:
            if isinstance(s, bool) or not isinstance(s, (int, np.integer)):
                fail(where, "whole numbers, e.g. (8, 8)", describe(text), error=TypeError)
    else:
        fail(where, "a text such as '8, 8' or a tuple such as (8, 8)", describe(text), error=TypeError)
    if len(sizes) > MAX_LAYERS:
        fail(where, f"at most {MAX_LAYERS} hidden layers", f"{len(sizes)}")
    for s in sizes:
        if not 1 <= s <= MAX_WIDTH:
            fail(where, f"each width must lie in [1, {MAX_WIDTH}]", str(s))
    return tuple(int(s) for s in sizes)


def make_data(dataset: str, n: int, noise: float, rng: np.random.Generator):
    """((X_train, y_train), (X_val, y_val)): n points of nl.data.make_<dataset>, split 70/30."""
    make, _ = DATASETS[dataset]
    X, y = make(n, rng=rng, noise=noise)
    return nl_data.split(X, y, (0.7, 0.3), rng=rng)


def make_network(hidden, activation: str, n_classes: int, *, loss: str, p_drop: float,
                 rng: np.random.Generator) -> Sequential:
    """Dense(2, h₁), σ, [Dropout], …, Dense(h_L, K) [+ Sigmoid for squared error], weights from rng.

    Cross-entropy: the last Dense layer gives the logits z (N, K). Squared error: a sigmoid output
    a (N, K) compared with the one-hot targets.  Chapters 03, 04.
    """
    act, init = ACTIVATIONS[activation]
    widths = (2, *hidden, n_classes)
    layers = []
    for l, (n_in, n_out) in enumerate(zip(widths[:-1], widths[1:]), start=1):
        layers.append(Dense(n_in, n_out, rng=rng, init=init))
        if l < len(widths) - 1:
            layers.append(act())
            if p_drop > 0:
                layers.append(Dropout(p_drop, rng=rng))
    if loss == "squared error":
        layers.append(Sigmoid())
    return Sequential(*layers)


def make_optimizer(name: str, params, lr: float):
    """"sgd": nl.SGD(lr);  "momentum": nl.SGD(lr, momentum=0.9);  "adam": nl.Adam(lr)."""
    if name == "sgd":
        return SGD(params, lr=lr)
    if name == "momentum":
        return SGD(params, lr=lr, momentum=0.9)
    return Adam(params, lr=lr)


def _guarded(method):
    """A widget callback that reports an unexpected error in the status line instead of raising."""
    @functools.wraps(method)
    def callback(self, *args):
        try:
            method(self, *args)
        except Exception as err:  # noqa: BLE001 - shown to the learner, never swallowed silently
            self.error = f"{type(err).__name__}: {err}"
            self.status.value = self._status_text()
    return callback


class Playground(Explorer):
    """Train a small network on a 2-D data set with buttons, and watch it learn.

    Parameters
    ----------
    dataset : {"xor", "moons", "circles", "spirals"}
    hidden : tuple of ints or text
        Widths of the hidden layers, e.g. (8, 8) or "8, 8"; () or "" for none (at most 6 layers of
        at most 64 units).
    activation : {"tanh", "relu", "sigmoid", "elu"}
    loss : {"cross-entropy", "squared error"}
        nl.SoftmaxCrossEntropy on the logits, or nl.SquaredError between a sigmoid output and the
        one-hot targets.
    lr : float
        η, in [1e-4, 1].
    batch_size : int
        Examples per step, 1 … the size of the training set.
    dropout : float
        p_drop of a Dropout layer after each hidden layer, in [0, 0.9] (0: none).
    optimizer : {"sgd", "momentum", "adam"}
        nl.SGD, nl.SGD with momentum 0.9, nl.Adam.
    noise : float or None
        The data set's noise (None: its default).
    seed : int
        Seeds the one Generator that draws everything.
    n : int
        Number of points (70 % for training, 30 % for validation).
    max_epochs : int
        Train stops after this many epochs in total.
    pace : float
        Train takes at least this many seconds per epoch, so that the learning can be watched
        (an epoch of these small networks takes about a millisecond); 0 for full speed.
    show_gradients : bool
        Add ‖∂C/∂W‖ of each Dense layer (on the training set, dropout off) to the status.

    Attributes: `model`, `loss_fn`, `opt`, `history` (an nl.History, one entry per epoch), `epoch`,
    `loss` (fit's mean cost over the epoch's batches), `val_loss`, `accuracy` (on the whole training
    set after the epoch, in eval mode), `val_accuracy` (what the status shows), `stopped` (why training
    stopped, or None), `diverged`, `error` (a message about a control, or None), `gradient_norms`.

    Chapters 03, 04, 06, 07, 08.
    """

    def __init__(self, dataset: str = "moons", *, hidden=(8, 8), activation: str = "tanh",
                 loss: str = "cross-entropy", lr: float = 0.01, batch_size: int = 16, dropout: float = 0.0,
                 optimizer: str = "adam", noise=None, seed: int = 0, n: int = 200, max_epochs: int = 500,
                 pace: float = 0.02, show_gradients: bool = False):
        where = "nnlab.widgets.Playground"
        check_choice(dataset, where, "dataset", tuple(DATASETS))
        try:
            hidden = parse_hidden(hidden)
        except (ValueError, TypeError) as err:
            raise type(err)(f"{where}: {err}") from None
        check_choice(activation, where, "activation", tuple(ACTIVATIONS))
        check_choice(loss, where, "loss", LOSSES)
        lr = check_float(lr, where, "lr", low=1e-4, high=1.0)
        check_choice(optimizer, where, "optimizer", OPTIMIZERS)
        dropout = check_float(dropout, where, "dropout", low=0.0, high=0.9)
        noise = DATASETS[dataset][1] if noise is None else check_float(noise, where, "noise", low=0.0, high=1.0)
        seed = check_int(seed, where, "seed", minimum=0)
        n = check_int(n, where, "n", minimum=20)
        n_train = n - round(0.3 * n)
        batch_size = check_int(batch_size, where, "batch_size")
        if batch_size > n_train:
            fail(where, f"batch_size must be at most the training set size, {n_train}", str(batch_size),
                 f"the training set holds 70 % of n = {n} points.")
        self.max_epochs = check_int(max_epochs, where, "max_epochs")
        self.pace = check_float(pace, where, "pace", low=0.0, high=5.0)
        self.n, self.show_gradients = n, bool(show_gradients)

        self.dataset_control = labelled(W.Dropdown(options=list(DATASETS), value=dataset), "dataset", "data set")
        self.noise_control = labelled(W.FloatSlider(value=noise, min=0.0, max=1.0, step=0.01,
                                                    continuous_update=False), "noise", "noise")
        self.hidden_control = labelled(W.Text(value=", ".join(map(str, hidden)), continuous_update=False,
                                              placeholder="e.g. 8, 8 (empty: none)"), "hidden", "hidden layers")
        self.activation_control = labelled(W.Dropdown(options=list(ACTIVATIONS), value=activation),
                                           "activation", "activation")
        self.loss_control = labelled(W.Dropdown(options=list(LOSSES), value=loss), "loss", "loss")
        self.lr_control = labelled(W.FloatLogSlider(value=lr, base=10, min=-4, max=0, step=0.1,
                                                    readout_format=".3g", continuous_update=False),
                                   "lr", "learning rate η")
        self.batch_size_control = labelled(W.IntSlider(value=batch_size, min=1, max=n_train,
                                                       continuous_update=False), "batch-size", "batch size")
        self.dropout_control = labelled(W.FloatSlider(value=dropout, min=0.0, max=0.9, step=0.05,
                                                      continuous_update=False), "dropout", "dropout p")
        self.optimizer_control = labelled(W.Dropdown(options=list(OPTIMIZERS), value=optimizer),
                                          "optimizer", "optimizer")
        self.seed_control = labelled(W.BoundedIntText(value=seed, min=0, max=2**31 - 1), "seed", "seed")

        def button(text, css, icon, on_click):
            b = W.Button(description=text, icon=icon, layout=W.Layout(width="100px"))
            b.add_class(f"nnlab-{css}")
            b.on_click(on_click)
            return b

        self.train_button = button("Train", "train", "play", self._on_train)
        self.pause_button = button("Pause", "pause", "pause", self._on_pause)
        self.step_button = button("Step", "step", "step-forward", self._on_step)
        self.reset_button = button("Reset", "reset", "refresh", self._on_reset)
        self.status = status_line()
        self.view = FigureView(figsize=(8.4, 3.5), dpi=80)
        self.view.figure.set_layout_engine("none")          # fixed margins: a redraw in a few tens of ms

        self._lock = threading.RLock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._quiet = False
        self.error: str | None = None

        for control in (self.dataset_control, self.noise_control, self.activation_control, self.loss_control,
                        self.dropout_control, self.optimizer_control, self.seed_control):
            control.observe(self._on_rebuild, names="value")
        self.hidden_control.observe(self._on_hidden, names="value")
        self.lr_control.observe(self._on_lr, names="value")

        left = [self.dataset_control, self.noise_control, self.hidden_control, self.activation_control,
                self.loss_control]
        right = [self.optimizer_control, self.lr_control, self.batch_size_control, self.dropout_control,
                 self.seed_control]
        buttons = W.HBox([self.train_button, self.pause_button, self.step_button, self.reset_button])
        self.widget = root("playground", [W.HBox([W.VBox(left), W.VBox(right)]), buttons, self.status,
                                          self.view.image])
        self.hidden = hidden
        self.reset()

    # --- building -------------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        """True while the background training thread runs."""
        return self._thread is not None and self._thread.is_alive()

    def reset(self) -> None:
        """Stop training, then rebuild the data and the network from the controls and the seed (epoch 0)."""
        self.pause()
        with self._lock:
            self.rng = np.random.default_rng(self.seed_control.value)
            dataset, loss = self.dataset_control.value, self.loss_control.value
            (self.X_train, self.y_train), (self.X_val, self.y_val) = make_data(
                dataset, self.n, self.noise_control.value, self.rng)
            self.n_classes = int(max(self.y_train.max(), self.y_val.max())) + 1
            self.model = make_network(self.hidden, self.activation_control.value, self.n_classes, loss=loss,
                                      p_drop=self.dropout_control.value, rng=self.rng)
            if loss == "cross-entropy":
                self.loss_fn = SoftmaxCrossEntropy()
                self._targets = (self.y_train, self.y_val)
            else:
                self.loss_fn = SquaredError()
                self._targets = (nl_data.one_hot(self.y_train, self.n_classes),
                                 nl_data.one_hot(self.y_val, self.n_classes))
            self.opt = make_optimizer(self.optimizer_control.value, self.model.parameters(), self.lr_control.value)
            self.history = History()
            self.epoch, self.stopped, self.diverged = 0, None, False
            train_scores, val_scores = self._scores()
            self.loss, self.accuracy = train_scores
            self.val_loss, self.val_accuracy = val_scores
            self.initial_loss, self.initial_val_loss = self.loss, self.val_loss
            self._setup_plot()
            self._refresh()
        self._set_buttons()

    def _scores(self):
        """(loss, accuracy) on the training and on the validation set, in eval mode."""
        out = []
        for X, y, target in ((self.X_train, self.y_train, self._targets[0]),
                             (self.X_val, self.y_val, self._targets[1])):
            C = evaluate(self.model, self.loss_fn, X, target)["loss"]
            out.append((C, self._accuracy(X, y)))
        return out

    def _accuracy(self, X, y) -> float:
        return float(np.mean(predict(self.model, X).argmax(axis=1) == y))

    # --- training -------------------------------------------------------------------------------

    def _train_epochs(self, epochs: int) -> None:
        """`epochs` calls of nl.fit(..., epochs=1), each appended to `history` (the lock is held).

        Stops early, setting `diverged` and `stopped`, when fit finds a non-finite cost or weight
        or the training loss exceeds DIVERGED_FACTOR times its value at epoch 0.
        """
        for _ in range(epochs):
            if self.diverged:
                return
            try:
                one = fit(self.model, self.loss_fn, self.opt, self.X_train, self._targets[0], epochs=1,
                          batch_size=min(self.batch_size_control.value, len(self.X_train)), rng=self.rng,
                          validation=(self.X_val, self._targets[1]), progress=False, on_nan="raise")
            except TrainingDiverged:
                self.diverged = True
                self.stopped = (f"diverged in epoch {self.epoch + 1}: the cost or a weight stopped being a "
                                f"finite number. Try a learning rate about 10 times smaller, then Reset.")
                return
            logs = one.last()
            # Accuracy on the whole training set after the epoch, for both losses alike (fit's own,
            # for cross-entropy, counts the epoch's batches while the weights still move).
            logs["accuracy"] = self._accuracy(self.X_train, self.y_train)
            if "val_accuracy" not in logs:      # squared error: fit does not score classes
                logs["val_accuracy"] = self._accuracy(self.X_val, self.y_val)
            self.epoch += 1
            order = ("epoch", "loss", "accuracy", "val_loss", "val_accuracy", "lr", "time")
            logs["epoch"] = self.epoch
            self.history.append({key: logs[key] for key in order if key in logs})
            self.loss, self.accuracy = logs["loss"], logs["accuracy"]
            self.val_loss, self.val_accuracy = logs["val_loss"], logs["val_accuracy"]
            if self.loss > DIVERGED_FACTOR * self.initial_loss:
                self.diverged = True
                self.stopped = (f"diverged in epoch {self.epoch}: the training loss grew to more than "
                                f"{DIVERGED_FACTOR:g} times its start. Try a smaller learning rate, then Reset.")
                return

    def train(self, epochs: int):
        """Train `epochs` more epochs now, in this thread (pausing a running Train first); returns `history`."""
        epochs = check_int(epochs, "Playground.train", "epochs")
        self.pause()
        with self._lock:
            self._train_epochs(epochs)
            self._refresh()
        return self.history

    def step(self, epochs: int = 1):
        """One epoch (or `epochs`) now, like the Step button; returns `history`."""
        return self.train(epochs)

    def start(self) -> None:
        """Train in a background thread until pause(), max_epochs in total, or divergence."""
        if self.running or self.diverged:
            return
        self._stop.clear()
        self.stopped = None
        self._thread = threading.Thread(target=self._run, name="nnlab-playground", daemon=True)
        self._set_buttons(running=True)          # before the thread runs: its last word re-enables Train
        self._thread.start()

    def pause(self) -> None:
        """Stop the background thread after its current epoch and wait for it."""
        self._stop.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join()
        self._thread = None
        self._set_buttons()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the background training to end (at most `timeout` seconds); True if it has ended."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
        return not self.running

    def _run(self) -> None:
        last_draw = time.monotonic()
        try:
            while not self._stop.is_set():
                started = time.monotonic()
                with self._lock:
                    if self.epoch >= self.max_epochs:
                        self.stopped = f"stopped at max_epochs = {self.max_epochs}"
                        break
                    self._train_epochs(1)
                    if self.diverged:
                        break
                    if time.monotonic() - last_draw >= REDRAW_EVERY:
                        self._refresh()
                        last_draw = time.monotonic()
                rest = self.pace - (time.monotonic() - started)
                if rest > 0:
                    self._stop.wait(rest)           # returns at once when Pause is clicked
        except Exception as err:  # noqa: BLE001 - reported in the status line
            self.stopped = f"stopped by an error: {type(err).__name__}: {err}"
        finally:
            with self._lock:
                self._refresh()
            self._set_buttons(running=False)

    # --- showing --------------------------------------------------------------------------------

    def _status_text(self) -> str:
        text = (f"epoch {self.epoch} · loss {self.loss:.4f} · val loss {self.val_loss:.4f} · "
                f"accuracy {self.accuracy:.3f} · val accuracy {self.val_accuracy:.3f}")
        if self.show_gradients and self.gradient_norms:
            norms = " · ".join(f"layer {l}: {v:.3g}" for l, v in enumerate(self.gradient_norms.values(), 1))
            text += f"<br>‖∂C/∂W<sup>l</sup>‖ on the training set: {norms}"
        if self.stopped:
            text += f"<br>{self.stopped}"
        if self.error:
            text += f"<br><span class='nnlab-error' style='color:#b00'>{self.error}</span>"
        return text

    def _set_buttons(self, running: bool | None = None) -> None:
        running = self.running if running is None else running
        self.train_button.disabled = running
        self.pause_button.disabled = not running

    def _setup_plot(self) -> None:
        """New axes and artists for a new data set; _refresh only updates their data."""
        fig = self.view.figure
        fig.clear()
        self._ax_data, self._ax_loss = fig.subplots(1, 2, width_ratios=[1, 1.25], gridspec_kw=dict(
            left=0.06, right=0.98, bottom=0.14, top=0.9, wspace=0.22))
        X = np.concatenate([self.X_train, self.X_val])
        lo, hi = X.min(axis=0) - 0.4, X.max(axis=0) + 0.4
        self._extent = (lo[0], hi[0], lo[1], hi[1])
        gx, gy = np.meshgrid(np.linspace(lo[0], hi[0], GRID), np.linspace(lo[1], hi[1], GRID))
        self._grid = np.column_stack([gx.ravel(), gy.ravel()])
        self._rgb = np.array([[int(c[i:i + 2], 16) / 255 for i in (1, 3, 5)] for c in CLASS_COLORS])
        ax = self._ax_data
        self._picture = ax.imshow(np.ones((GRID, GRID, 3)), origin="lower", extent=self._extent,
                                  interpolation="bilinear", aspect="auto")
        for X_part, y_part, face in ((self.X_train, self.y_train, True), (self.X_val, self.y_val, False)):
            colors = self._rgb[y_part % len(CLASS_COLORS)]
            ax.scatter(X_part[:, 0], X_part[:, 1], s=14, c=colors if face else "white",
                       edgecolors="white" if face else colors, linewidths=0.5 if face else 1.0)
        ax.set_xlim(lo[0], hi[0])
        ax.set_ylim(lo[1], hi[1])
        ax.set_xticks([])
        ax.set_yticks([])
        self._title = ax.set_title("", fontsize=9)
        ax = self._ax_loss
        self._train_line, = ax.plot([], [], color=CLASS_COLORS[0], lw=1.8, label="training loss")
        self._val_line, = ax.plot([], [], color=CLASS_COLORS[1], lw=1.8, ls="--", label="validation loss")
        ax.set_xlabel("epoch")
        ax.set_ylabel(f"{self.loss_control.value} C")
        ax.legend(fontsize=8, loc="upper right")

    def _refresh(self) -> None:
        """Status line and plot from the current model and history (the lock is held)."""
        self.gradient_norms = {}
        if self.show_gradients and not self.diverged:
            was_training = self.model.training
            self.model.eval()                    # no dropout masks: the rng is left untouched
            try:
                self.gradient_norms = gradient_norms(self.model, self.loss_fn, self.X_train, self._targets[0])
            finally:
                self.model.train() if was_training else self.model.eval()
        self.status.value = self._status_text()
        with np.errstate(over="ignore", invalid="ignore"):
            out = np.nan_to_num(predict(self.model, self._grid))
            if isinstance(self.loss_fn, SoftmaxCrossEntropy):
                out = np.exp(out - out.max(axis=1, keepdims=True))
            p = out / np.maximum(out.sum(axis=1, keepdims=True), 1e-12)
        k = p.argmax(axis=1)
        confidence = (p.max(axis=1) - 1 / self.n_classes) / (1 - 1 / self.n_classes)
        strength = (0.15 + 0.45 * np.clip(confidence, 0, 1))[:, None]
        rgb = 1 - strength * (1 - self._rgb[k % len(CLASS_COLORS)])
        self._picture.set_data(rgb.reshape(GRID, GRID, 3))
        self._title.set_text(f"epoch {self.epoch}: val accuracy {self.val_accuracy:.3f}")
        epochs = [0, *self.history["epoch"]] if len(self.history) else [0]
        losses = [self.initial_loss, *self.history["loss"]] if len(self.history) else [self.initial_loss]
        val_losses = ([self.initial_val_loss, *self.history["val_loss"]] if len(self.history)
                      else [self.initial_val_loss])
        self._train_line.set_data(epochs, losses)
        self._val_line.set_data(epochs, val_losses)
        values = np.array([losses, val_losses], dtype=np.float64)
        values = values[np.isfinite(values)]
        top = float(values.max()) if values.size else 1.0
        self._ax_loss.set_xlim(0, max(10, epochs[-1]))
        self._ax_loss.set_ylim(0, 1.05 * top if top > 0 else 1.0)
        self.view.draw()

    # --- callbacks ------------------------------------------------------------------------------

    @_guarded
    def _on_train(self, _button) -> None:
        self.start()

    @_guarded
    def _on_pause(self, _button) -> None:
        self.pause()

    @_guarded
    def _on_step(self, _button) -> None:
        self.step()

    @_guarded
    def _on_reset(self, _button) -> None:
        self.reset()

    @_guarded
    def _on_rebuild(self, change) -> None:
        if self._quiet:
            return
        if change["owner"] is self.dataset_control:
            self._quiet = True
            try:
                self.noise_control.value = DATASETS[change["new"]][1]
            finally:
                self._quiet = False
        self.error = None
        self.reset()

    @_guarded
    def _on_hidden(self, change) -> None:
        try:
            hidden = parse_hidden(change["new"])
        except (ValueError, TypeError) as err:
            self.error = f"{err} The network was not changed."
            self.status.value = self._status_text()
            return
        self.error = None
        self.hidden = hidden
        self.reset()

    @_guarded
    def _on_lr(self, change) -> None:
        with self._lock:
            self.opt.lr = change["new"]
