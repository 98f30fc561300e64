"""Checks for chapter 08, training on real data: accuracy, the confusion matrix, a training run."""

from __future__ import annotations

import numpy as np

from ..data import load_digits, split
from ..metrics import confusion_matrix as _confusion
from ._core import Case, CheckResult, Part, run_check
from ._parts import FunctionPart
from ._plain import NotPlain, Seeded, describe


def _accuracy_cases(rng):
    y6 = rng.integers(0, 3, 6)
    perfect = rng.normal(size=(5, 4))
    return [
        Case("scores for 6 examples and 3 classes", (rng.normal(size=(6, 3)), y6)),
        Case("a batch of one", (rng.normal(size=(1, 4)), rng.integers(0, 4, 1))),
        Case("all predictions right", (perfect, perfect.argmax(axis=1))),
        Case("20 examples, 5 classes", (rng.normal(size=(20, 5)), rng.integers(0, 5, 20))),
    ]


ACCURACY = FunctionPart(
    "accuracy", "accuracy(scores, y)", "08", _accuracy_cases,
    lambda s, y: float(np.mean(s.argmax(axis=1) == y)),
    mistakes=[
        (lambda s, y: 100.0 * np.mean(s.argmax(axis=1) == y), "a percentage. Hint: return the "
                                                              "fraction in [0, 1]."),
        (lambda s, y: float(np.sum(s.argmax(axis=1) == y)), "the NUMBER of right predictions. Hint: "
                                                            "divide by N."),
    ],
    hints=(
        "The prediction for a row is the class with the largest score; the accuracy is how often "
        "it equals the label.",
        "accuracy = (1/N) · #{rows with argmax_j scores[i, j] = y[i]}, a fraction in [0, 1].",
        "argmax along axis 1 gives one prediction per row; comparing with y gives a boolean "
        "array, whose mean is the fraction.",
    ),
    error_hint="take the argmax along axis=1 (one prediction per row) before comparing with y.",
)


def _confusion_cases(rng):
    y_true = rng.integers(0, 3, 20)
    return [
        Case("20 examples, 3 classes", (y_true, rng.integers(0, 3, 20), 3)),
        Case("4 classes, class 3 never occurs", (rng.integers(0, 3, 12), rng.integers(0, 3, 12), 4)),
        Case("a batch of one", (np.array([1]), np.array([0]), 2)),
        Case("all predictions right", (y_true, y_true.copy(), 3)),
    ]


CONFUSION_MATRIX = FunctionPart(
    "confusion_matrix", "confusion_matrix(y_true, y_pred, n_classes)", "08", _confusion_cases,
    lambda t, p, k: _confusion(t, p, k),
    mistakes=[
        (lambda t, p, k: _confusion(t, p, k).T, "the matrix transposed. Hint: row i is the TRUE "
                                                "class, column j the predicted one: M[y_true, y_pred] += 1."),
        (lambda t, p, k: _confusion(t, p, k) / np.maximum(_confusion(t, p, k).sum(axis=1, keepdims=True), 1),
         "rows normalised to fractions. Hint: return the counts."),
    ],
    hints=(
        "Count every (true class, predicted class) pair; rows are the true class, columns the "
        "predicted one.",
        "M[i, j] = the number of examples of true class i predicted as j; M is (K, K) even when "
        "some class never occurs.",
        "Start from np.zeros((K, K), dtype=int) and add 1 per pair in a loop over zip(y_true, "
        "y_pred) (or np.add.at).",
    ),
)


class _Watch:
    """Which of nnlab's training shortcuts the learner's `train` calls, and whether it zeroes the
    gradients between optimizer steps, seen with `sys.setprofile` (the grader's runner traces with
    `sys.settrace`, which this leaves alone).

    forbidden — nl.fit, nl.data.load_digits, np.load (the data comes only as arguments);
    steps     — calls of an nnlab optimizer's step();
    unzeroed  — steps (after the first) with no Parameter.zero_grad() (or grad assignment) since
                the step before: the gradients of all earlier batches were still in `grad`.
    """

    def __init__(self):
        import inspect

        from .. import optim
        from ..data import digits
        from ..parameter import Parameter
        from ..training import fit

        self.names = {fit.__code__: "nl.fit", digits.load_digits.__code__: "nl.data.load_digits",
                      np.load.__code__: "np.load"}
        self.step_codes = {cls.step.__code__ for _, cls in inspect.getmembers(optim, inspect.isclass)
                           if issubclass(cls, optim.Optimizer)}
        self.zero_codes = {Parameter.zero_grad.__code__, Parameter.grad.fset.__code__}
        self.forbidden: list[str] = []
        self.steps = self.unzeroed = 0
        self._zeroed = False

    def _profile(self, frame, event, arg):
        if event != "call":
            return
        code = frame.f_code
        if code in self.zero_codes:
            self._zeroed = True
        elif code in self.step_codes:
            if self.steps and not self._zeroed:
                self.unzeroed += 1
            self.steps += 1
            self._zeroed = False
        elif code in self.names and self.names[code] not in self.forbidden:
            self.forbidden.append(self.names[code])

    def __enter__(self):
        import sys

        self._previous = sys.getprofile()
        sys.setprofile(self._profile)
        return self

    def __exit__(self, *exc):
        import sys

        sys.setprofile(self._previous)
        return False


class TrainingPart(Part):
    """train(X, y, rng) → a trained model; judged by its accuracy on held-out digits it never sees.

    The held-out digits stay out of the learner's reach: both sets have their 64 pixels in one
    random order drawn by the case (the same for training and held-out digits, so a dense network
    learns exactly as well), so no image of `nl.data.load_digits()` is among them; and a `train`
    that loads data itself or calls `nl.fit` is named (the exercise forbids both). A loop that
    never calls zero_grad() between steps is named too.
    """

    def __init__(self, *args, min_accuracy: float = 0.95, test_fraction: float = 0.25, **kwargs):
        super().__init__(*args, **kwargs)
        self.min_accuracy = min_accuracy
        self.test_fraction = test_fraction

    def cases(self, rng):
        X, y = load_digits()
        X = X[:, rng.permutation(X.shape[1])]
        (Xtr, ytr), (Xte, yte) = split(X, y, (1 - self.test_fraction, self.test_fraction), rng=rng,
                                       stratify=True)
        return [Case(f"{len(Xtr)} training digits, {len(Xte)} held out",
                     (Xtr, ytr, Seeded(int(rng.integers(2**31)))),
                     extra={"X_test": Xte}, secret={"y_test": yte})]

    def call(self, fn, args, extra):
        from ..losses import Loss

        with _Watch() as watch:
            model = fn(*args)
        seen = {"forbidden": watch.forbidden, "steps": watch.steps, "unzeroed": watch.unzeroed}
        forward = getattr(model, "forward", None)
        if isinstance(model, Loss):
            raise NotPlain(f"the loss object ({type(model).__name__}), which is not the model: "
                           "return the network you trained (`return model`)")
        if not callable(forward):
            raise NotPlain(f"{describe(model)}, which is not a trained model with a forward(X) method")
        if callable(getattr(model, "eval", None)):
            model.eval()
        try:
            scores = np.asarray(forward(extra["X_test"]))
        except Exception as err:
            raise NotPlain(f"a {type(model).__name__} whose forward(X_test) raised "
                           f"{type(err).__name__}: {str(err)[:200]}") from None
        if scores.ndim != 2 or scores.shape[0] != len(extra["X_test"]):
            raise NotPlain(f"a model whose forward(X) gives {describe(scores)}, not scores of shape "
                           f"(N, 10)")
        return {"predictions": scores.argmax(axis=1), **seen}

    def describe_input(self, case):
        Xtr, ytr, _ = case.args
        return [f"  X of shape {Xtr.shape} (digits, pixels in [0, 1], in a shuffled pixel order), "
                f"y of shape {ytr.shape}, rng = a numpy Generator"]

    def _accuracy(self, case, got):
        y_test = case.secret["y_test"]
        got = got.get("predictions") if isinstance(got, dict) else None
        if not isinstance(got, np.ndarray) or got.shape != y_test.shape:
            return None
        return float(np.mean(got == y_test))

    def judge(self, case, got):
        accuracy = self._accuracy(case, got)
        if accuracy is None:
            return ["The model's predictions could not be read."]
        forbidden = [f for f in got.get("forbidden", []) if isinstance(f, str)]
        if "nl.data.load_digits" in forbidden and "np.load" in forbidden:
            forbidden.remove("np.load")  # load_digits reads its file with np.load
        if forbidden:
            lines = [f"Your train calls {' and '.join(forbidden)} (accuracy {accuracy:.1%} on the "
                     "held-out digits)."]
            if "nl.fit" in forbidden:
                lines.append("The exercise asks for your own loop instead of nl.fit: for every "
                             "batch forward, cost, zero_grad, backward, step.")
            if set(forbidden) - {"nl.fit"}:
                lines.append("Train only on the X and y you are given: the check keeps its "
                             "held-out digits apart, and they are not in the files nnlab ships "
                             "(their pixels come in another order).")
            return lines
        steps, unzeroed = got.get("steps", 0), got.get("unzeroed", 0)
        if isinstance(steps, int) and isinstance(unzeroed, int) and steps >= 3 and unzeroed > steps // 2:
            return [f"{unzeroed} of your {steps} optimizer steps came without model.zero_grad() "
                    f"since the step before (accuracy {accuracy:.1%}): backward ADDS to every "
                    "parameter's grad, so each step used the sum of the gradients of all the "
                    "batches so far.",
                    "Hint: reset the gradients once per batch, before backward."]
        if accuracy >= self.min_accuracy:
            return None
        predictions = got["predictions"]
        lines = [f"Accuracy {accuracy:.1%} on {len(predictions)} held-out digits; at least "
                 f"{self.min_accuracy:.0%} is needed."]
        values = np.unique(predictions)
        if len(values) == 1:
            lines.append(f"Your model predicts the digit {int(values[0])} for every image: it has not "
                         "learned. Hint: are the weights updated for every batch (backward, then "
                         "opt.step())? Is the learning rate far too large or too small?")
        elif steps == 0:
            lines.append("No nnlab optimizer took a step while train ran. Hint: call opt.step() "
                         "after backward, for every batch.")
        elif accuracy < 0.3:
            lines.append("Hardly better than guessing (10 %). Hint: are the weights updated "
                         "(opt.step() after backward)? Is the learning rate too small or too large?")
        else:
            lines.append("Hint: train longer (more epochs), use a wider hidden layer (e.g. 64–128 "
                         "ReLU units), or Adam with lr = 1e-3.")
        return lines

    def passed_message(self, cases, outcomes):
        accuracy = self._accuracy(cases[0], outcomes[0].value)
        return (f"✓ {self.name}: {accuracy:.1%} accuracy on {len(cases[0].secret['y_test'])} "
                f"held-out digits (at least {self.min_accuracy:.0%} needed)")


TRAIN = TrainingPart("train", "train(X, y, rng)", "08", time_limit=120.0,
                     hints=(
                         "Build a network, a cost and an optimizer; then for several epochs, for "
                         "every mini-batch: forward, cost, reset the gradients, backward, step.",
                         "A Sequential of Dense(64, H), ReLU, Dense(H, 10) with H around 64–128, "
                         "SoftmaxCrossEntropy, Adam with lr = 1e-3, 20–30 epochs of batches of 32"
                         " is plenty; pass rng to every layer.",
                         "The methods, in order: model.forward, loss.forward, model.zero_grad, "
                         "model.backward (of what loss.backward returns), opt.step; the batches "
                         "come from nl.data.minibatches with your rng.",
                     ))
TRAIN.check_name = "check_training"

PARTS = [ACCURACY, CONFUSION_MATRIX, TRAIN]


def check_accuracy(accuracy) -> CheckResult:
    """Check your `accuracy(scores, y)`: the fraction of rows whose largest score is at y.  Chapter 08."""
    return run_check(ACCURACY, accuracy)


def check_confusion_matrix(confusion_matrix) -> CheckResult:
    """Check your `confusion_matrix(y_true, y_pred, n_classes)`: counts, rows = true class.  Chapter 08."""
    return run_check(CONFUSION_MATRIX, confusion_matrix)


def check_training(train) -> CheckResult:
    """Run your `train(X, y, rng)` on 75 % of the digits and test the returned model on the other 25 %.

    `train` must return the trained model (anything with `forward(X)` → scores of shape (N, 10));
    it passes at ≥ 95 % accuracy on the held-out digits, within 120 s. The digits come with their
    pixels in one shuffled order, so the held-out ones are not among `nl.data.load_digits()`'s; a
    `train` that calls `nl.fit`, loads data itself or steps without `zero_grad()` is named.
    Chapter 08.
    """
    return run_check(TRAIN, train)
