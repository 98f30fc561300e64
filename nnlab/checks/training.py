"""Checks for chapter 08, training on real data: a stratified split, standardising with the training
statistics, accuracy, the confusion matrix, a training run."""

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
        _some_right(rng, 7, 3),
        _some_right(rng, 13, 4, hidden=True),
    ]


def _some_right(rng, N, K, hidden=False):
    """N examples of which 1 to N − 1 are predicted right: an accuracy k/N that no rounding keeps."""
    scores = rng.normal(size=(N, K))
    right = rng.permutation(N) < rng.integers(1, N)
    y = np.where(right, scores.argmax(axis=1), (scores.argmax(axis=1) + rng.integers(1, K, N)) % K)
    return Case(f"{N} examples, {K} classes, {int(right.sum())} of them predicted right", (scores, y),
                hidden=hidden)


ACCURACY = FunctionPart(
    "accuracy", "accuracy(scores, y)", "08", _accuracy_cases,
    lambda s, y: float(np.mean(s.argmax(axis=1) == y)),
    mistakes=[
        (lambda s, y: 100.0 * np.mean(s.argmax(axis=1) == y), "a percentage. Hint: return the "
                                                              "fraction in [0, 1]."),
        (lambda s, y: float(np.sum(s.argmax(axis=1) == y)), "the NUMBER of right predictions. Hint: "
                                                            "divide by N."),
        (lambda s, y: round(float(np.mean(s.argmax(axis=1) == y)), 2),
         "the accuracy rounded to 2 decimals. Hint: return the fraction itself; round only where "
         "you print it."),
    ],
    hints=(
        "The prediction for a row is the class with the largest score; the accuracy is how often "
        "it equals the label.",
        "accuracy = (1/N) · #{rows with argmax_j scores[i, j] = y[i]}, a fraction in [0, 1].",
        "argmax along axis 1 gives one prediction per row; comparing with y gives a boolean "
        "array, whose mean is the fraction.",
    ),
    error_hint="scores is (N, K) and y is (N,): the argmax along axis 1 gives one prediction per row, "
               "shape (N,) like y, and comparing the two gives N booleans — their mean needs no axis.",
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


# ----------------------------------------------------------------------------------------------
# the stratified split

def _rows(X):
    """Each row's bytes → its index (the case's rows are distinct random numbers)."""
    return {row.tobytes(): i for i, row in enumerate(np.ascontiguousarray(X, dtype=np.float64))}


def _class_data(rng, counts, n_features, sort=True):
    y = np.concatenate([np.full(c, k) for k, c in enumerate(counts)])
    if not sort:
        y = y[rng.permutation(len(y))]
    X = rng.normal(size=(len(y), n_features)) + y[:, None]
    return X, y


def _split_cases(rng):
    def case(label, counts, n, fraction, sort=True, hidden=False):
        X, y = _class_data(rng, counts, n, sort)
        seed, other = (int(v) for v in rng.integers(2**31, size=2))
        return Case(label, (X, y, fraction, Seeded(seed)),
                    extra={"same_rng": Seeded(seed), "other_rng": Seeded(other)}, hidden=hidden)

    return [
        case("5 classes of 60, sorted by class, test_fraction = 0.25", [60] * 5, 3, 0.25),
        case("3 classes of 50, 100 and 150, in random order, test_fraction = 0.2", [50, 100, 150], 2, 0.2,
             sort=False),
        case("10 classes of 40 (like the digits), test_fraction = 0.3", [40] * 10, 4, 0.3),
        case("a rare class of 2 to 4 examples, whose share of test_fraction = 0.1 rounds to 0",
             [40, int(rng.integers(2, 5)), 30], 3, 0.1),
        case("2 classes, 30 and 170 examples (imbalanced), test_fraction = 0.25", [30, 170], 2, 0.25,
             hidden=True),
        case("5 classes, one of only 2 examples, test_fraction = 0.2 (it gets no test example)",
             [50, 40, 2, 60, 30], 3, 0.2, sort=False, hidden=True),
        case("4 classes of 80, 64 features, test_fraction = 0.5", [80] * 4, 64, 0.5, sort=False, hidden=True),
    ]


class SplitPart(Part):
    """stratified_split(X, y, test_fraction, rng) → (X_train, y_train, X_test, y_test); judged by its
    properties: a partition of the rows with their labels, every class split in proportion (±1), a
    shuffle that comes from the rng (the same rng gives the same split, another one another)."""

    def cases(self, rng):
        return _split_cases(rng)

    def call(self, fn, args, extra):
        from ..data import preprocessing
        from ._watch import Calls

        X, y, fraction, rng = args
        with Calls({preprocessing.split.__code__: "nl.data.split"}) as seen:
            first = fn(X, y, fraction, rng)
            again = fn(X.copy(), y.copy(), fraction, extra["same_rng"])
            other = fn(X.copy(), y.copy(), fraction, extra["other_rng"])
        return {"first": first, "again": again, "other": other, "forbidden": seen.called}

    def describe_input(self, case):
        X, y, fraction, _ = case.args
        counts = np.bincount(y)
        return [f"  X of shape {X.shape}, y with {len(counts)} classes of {counts.tolist()} examples, "
                f"test_fraction = {fraction:g}, rng = a numpy Generator"]

    def _read(self, X, y, got):
        """(train rows, test rows) as index arrays, or the explanation of why they cannot be read."""
        if not isinstance(got, (tuple, list)) or len(got) != 4:
            return None, [f"Return four arrays, `return X_train, y_train, X_test, y_test`; got {describe(got)}."]
        names = ("X_train", "y_train", "X_test", "y_test")
        for name, value in zip(names, got):
            if not isinstance(value, np.ndarray):
                return None, [f"{name} should be a numpy array, got {describe(value)}."]
        X_tr, y_tr, X_te, y_te = got
        for name, Xp, yp in (("train", X_tr, y_tr), ("test", X_te, y_te)):
            if Xp.ndim != 2 or Xp.shape[1] != X.shape[1] or yp.shape != (len(Xp),):
                return None, [f"X_{name} should have shape (N_{name}, {X.shape[1]}) and y_{name} "
                              f"shape (N_{name},); got {Xp.shape} and {yp.shape}."]
        index = _rows(X)
        parts = []
        for name, Xp, yp in (("train", X_tr, y_tr), ("test", X_te, y_te)):
            rows = [index.get(r.tobytes()) for r in np.ascontiguousarray(Xp, dtype=np.float64)]
            if None in rows:
                return None, [f"X_{name} has rows that are not rows of X: return the examples "
                              "themselves (X[indices]), not changed."]
            rows = np.array(rows, dtype=int)
            if not np.array_equal(yp, y[rows]):
                bad = int(np.sum(yp != y[rows]))
                return None, [f"{bad} of the {len(rows)} labels in y_{name} are not the labels of "
                              f"their rows in X_{name}: shuffle X and y with the SAME indices."]
            parts.append(rows)
        train, test = parts
        both = np.concatenate([train, test])
        if len(both) != len(X) or len(np.unique(both)) != len(X):
            missing = len(X) - len(np.unique(both))
            twice = len(both) - len(np.unique(both))
            return None, [f"The two parts must hold every example exactly once: {missing} are in "
                          f"neither and {twice} appear twice."]
        return (train, test), None

    def judge(self, case, got):
        X, y, fraction, _ = case.args
        if not isinstance(got, dict):
            return ["The result could not be read."]
        if got.get("forbidden"):
            return ["Your stratified_split calls nl.data.split, nnlab's own version: write the split "
                    "yourself, from rng.permutation of each class's indices."]
        parts, problem = self._read(X, y, got.get("first"))
        if problem:
            return problem
        train, test = parts
        lines = []
        counts = np.bincount(y)
        in_test = np.bincount(y[test], minlength=len(counts))
        want = fraction * counts
        off = np.abs(in_test - want) > 1.0
        if off.any():
            k = int(np.argmax(np.abs(in_test - want)))
            lines.append(f"Class {k} has {in_test[k]} of its {counts[k]} examples in the test set; a "
                         f"stratified split puts test_fraction × {counts[k]} = {want[k]:g} there (±1). "
                         f"Test examples per class: {in_test.tolist()}, wanted about "
                         f"{np.round(want, 1).tolist()}.")
            if in_test[k] == counts[k] and round(want[k]) == 0:
                lines.append(f"All of class {k} went to the test set, where round(test_fraction × "
                             f"{counts[k]}) = 0 of them belong: a cut from the end, idx[-n:], is the "
                             "WHOLE array when n = 0 (-0 is 0). Hint: take the test examples from the "
                             "front, idx[:n], and the rest, idx[n:]: both are right for n = 0 too.")
            elif len(np.unique(y[test])) == 1 and len(counts) > 1:
                lines.append("Every test example is of one class: the rows were not shuffled before "
                             "the cut (X is sorted by class here).")
            else:
                lines.append("Hint: split each class by itself — shuffle the indices of class k "
                             "(np.flatnonzero(y == k)) and cut them at round(test_fraction · n_k) — "
                             "so that both parts keep the class proportions.")
            return lines
        again, problem = self._read(X, y, got.get("again"))
        if problem:
            return ["Called again with a fresh rng of the same seed: " + problem[0]]
        if not (np.array_equal(np.sort(again[1]), np.sort(test))):
            return ["Called again with a new rng of the SAME seed, your function put other examples "
                    "in the test set. Hint: draw every random number from the rng you are given "
                    "(rng.permutation, rng.shuffle), not from np.random or a seed of your own."]
        other, problem = self._read(X, y, got.get("other"))
        if problem:
            return ["Called with another rng: " + problem[0]]
        if np.array_equal(np.sort(other[1]), np.sort(test)):
            return ["Called with a different rng, your function gave exactly the same test set: the "
                    "split is not random. Hint: shuffle each class's indices with rng.permutation "
                    "before you cut them."]
        within = [np.flatnonzero(y == k) for k in range(len(counts))]
        contiguous = all(set(test[y[test] == k]) in (set(idx[:in_test[k]]), set(idx[len(idx) - in_test[k]:]))
                         for k, idx in enumerate(within) if in_test[k])
        if contiguous:
            return ["Your test set is the first (or last) examples of each class: the examples were "
                    "not shuffled within each class. Hint: rng.permutation of each class's indices."]
        return None

    def passed_message(self, cases, outcomes):
        return f"✓ {self.name}: a stratified, shuffled split on {len(cases)} test inputs"


SPLIT = SplitPart(
    "stratified_split", "stratified_split(X, y, test_fraction, rng)", "08",
    hints=(
        "A random split can, by bad luck, put few examples of a rare class in the test set; a "
        "stratified one splits every class by itself, so both parts keep the proportions.",
        "For each class k: shuffle the indices of its examples and put the first round(test_fraction "
        "· n_k) of them in the test set, the rest in the training set; then X[indices], y[indices].",
        "np.flatnonzero(y == k) gives class k's indices, rng.permutation shuffles them, "
        "np.concatenate joins the pieces; shuffle each part once more so the classes are mixed.",
    ),
    error_hint="a slice index must be an int: test_fraction · n_k is a float, so round it and make "
               "it an int before cutting with it. y holds integer labels 0 … K−1; X and y have one "
               "row per example.",
)


# ----------------------------------------------------------------------------------------------
# standardising with the training statistics

def _standardize(X_train, X_test, *, stats="train", ddof=0, zero="one"):
    source = {"train": X_train, "all": np.concatenate([X_train, X_test])}.get(stats)
    if stats in ("train", "all"):
        mu, sd = source.mean(axis=0), source.std(axis=0, ddof=ddof)
        mu_te, sd_te = mu, sd
    else:  # "own": each set by its own statistics
        mu, sd = X_train.mean(axis=0), X_train.std(axis=0, ddof=ddof)
        mu_te, sd_te = X_test.mean(axis=0), X_test.std(axis=0, ddof=ddof)
    if zero == "one":
        sd, sd_te = np.where(sd == 0, 1.0, sd), np.where(sd_te == 0, 1.0, sd_te)
    return (X_train - mu) / sd, (X_test - mu_te) / sd_te


def _std_cases(rng):
    def data(N, M, F, blank=(), scale=None, train_only=()):
        scale = rng.uniform(0.2, 5.0, F) if scale is None else scale
        shift = rng.uniform(-3, 3, F)
        X_tr = rng.normal(size=(N, F)) * scale + shift
        X_te = rng.normal(size=(M, F)) * scale * 1.3 + shift + 0.5
        for j in blank:
            X_tr[:, j] = 0.0
            X_te[:, j] = 0.0 if j not in train_only else rng.uniform(0, 1, M)
        return X_tr, X_te

    return [
        Case("100 training and 40 test examples, 5 features of different scales", data(100, 40, 5)),
        Case("a feature that is 0 in every example (a blank pixel: σ = 0)", data(60, 20, 4, blank=(1,))),
        Case("a test set from another distribution (its own mean and σ differ)", data(80, 30, 3)),
        Case("one test example", data(50, 1, 6)),
        Case("a feature blank in training but not in the test set", data(70, 25, 4, blank=(0, 2),
                                                                        train_only=(2,))),
        Case("64 features on the pixel scale [0, 1], pixels 7 and 56 blank in training but lit in the "
             "test set", data(120, 50, 64, scale=np.full(64, 0.3), blank=(0, 7, 56), train_only=(7, 56)),
             hidden=True),
    ]


class StandardizePart(FunctionPart):
    """Judged against the reference; where a feature is constant in X_train (σ = 0), a wrong
    X_test_s says what became of the zero σ (kept, replaced by a tiny ε, or the feature zeroed)."""

    diagnose_across_cases = True

    def judge(self, case, got):
        problem = super().judge(case, got)
        if problem is None or not isinstance(got, (tuple, list)) or len(got) != 2:
            return problem
        X_train, X_test = case.args
        expected, test = self.expected(case)[1], got[1]
        if not isinstance(test, np.ndarray) or test.shape != expected.shape:
            return problem
        for j in np.flatnonzero(X_train.std(axis=0) == 0):
            column, want = test[:, j], expected[:, j]
            if np.allclose(column, want, rtol=self.rtol, atol=self.atol):
                continue
            if not np.isfinite(column).all():
                how = ("is inf or nan there: the test set was divided by σ = 0 (fixed, if at all, "
                       "only after X_test_s was computed)")
            elif np.abs(column).max() > 1e3 * (np.abs(want).max() + 1):
                how = (f"reaches {np.abs(column).max():.3g} there: σ = 0 was replaced by a tiny number "
                       "(σ + ε, max(σ, ε), or nan_to_num of a division by 0), and an ε in the "
                       "denominator blows up a feature that is constant in training but not in test")
            elif not column.any():
                how = "is 0 there: the feature was set to 0, but in the test set it is not constant"
            else:
                continue
            varies = " but not in X_test" if X_test[:, j].std() > 0 else ""
            return [*problem, f"Feature {j} is constant in X_train (σ = 0){varies}, and "
                              f"your X_test_s {how}. Hint: where σ = 0 use σ = 1 — before "
                              "standardising either set — so that such a feature is only centred."]
        return problem


STANDARDIZE = StandardizePart(
    "standardize", "standardize(X_train, X_test)", "08", _std_cases, _standardize,
    outputs=("X_train_s", "X_test_s"),
    mistakes=[
        (lambda a, b: _standardize(a, b, stats="all"),
         "both sets standardised with the mean and σ of the training AND test examples together. "
         "Hint: that lets the test set into training (data leakage); compute μ and σ from X_train "
         "alone and apply the same μ, σ to both sets."),
        (lambda a, b: _standardize(a, b, stats="own"),
         "each set standardised with its OWN mean and σ. Hint: the test set must be transformed with "
         "the training statistics — the same shift and scale the network was trained with (new "
         "examples arrive one at a time and have no statistics of their own)."),
        (lambda a, b: _standardize(a, b, zero="keep"),
         "a division by σ = 0 for a constant feature (inf or nan). Hint: where σ = 0 use σ = 1, so "
         "that such a feature is only centred."),
        (lambda a, b: _standardize(a, b, ddof=1),
         "the result with the sample standard deviation (ddof=1). Hint: use the population σ, "
         "np.std's default (ddof=0), as nl.data.standardize does."),
        (lambda a, b: (a - a.mean(axis=0), b - a.mean(axis=0)),
         "the sets centred but not scaled. Hint: divide by σ as well."),
    ],
    hints=(
        "Shift and scale every feature (column) to mean 0 and standard deviation 1 — measured on "
        "the training set only, then applied unchanged to the test set.",
        "μ_k and σ_k are the mean and standard deviation of column k of X_train; x′ = (x − μ) / σ "
        "for both sets; a column with σ_k = 0 gets σ_k = 1.",
        "X_train.mean(axis=0) and .std(axis=0) (one value per column), np.where for the zero σ, "
        "broadcasting for (X − μ) / σ; build new arrays, never `X -= …`.",
    ),
    mutation_hint="build new arrays ((X_train - mean) / std), never `X_train -= mean`: the caller's "
                  "data must stay as it was.",
)

PARTS = [SPLIT, STANDARDIZE, ACCURACY, CONFUSION_MATRIX, TRAIN]


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


def check_stratified_split(stratified_split) -> CheckResult:
    """Check your `stratified_split(X, y, test_fraction, rng)` → (X_train, y_train, X_test, y_test):
    every example once, each class split in proportion, shuffled with the rng given.  Chapter 08."""
    return run_check(SPLIT, stratified_split)


def check_standardize(standardize) -> CheckResult:
    """Check your `standardize(X_train, X_test)` → (X_train_s, X_test_s), with the training set's μ and
    σ for both (σ = 0 → 1).  Chapter 08."""
    return run_check(STANDARDIZE, standardize)
