"""Checks for chapter 06, mini-batches and optimizers: the batch iterator, momentum, Adam."""

from __future__ import annotations

import itertools

import numpy as np

from ._core import Case, CheckResult, Part, run_check
from ._parts import FunctionPart
from ._plain import NotPlain, Seeded, describe


class MinibatchesPart(Part):
    """minibatches(X, y, batch_size, rng): judged by its properties, not against one order.

    The call runs EPOCHS epochs with the learner's rng, and one more with a fresh rng of the same
    seed (the same state must give the same order).
    """

    EPOCHS = 10

    def cases(self, rng):
        cases = []
        for label, n, bs, hidden in (("N = 10, batch_size = 3 (a last batch of 1)", 10, 3, False),
                                     ("N = 8, batch_size = 4", 8, 4, False),
                                     ("N = 7, batch_size = 10 (one batch of all 7)", 7, 10, False),
                                     ("N = 9, batch_size = 1", 9, 1, False),
                                     ("N = 24, batch_size = 4", 24, 4, False),
                                     ("N = 17, batch_size = 5 (a last batch of 2)", 17, 5, True),
                                     ("N = 30, batch_size = 6", 30, 6, True)):
            X = np.column_stack([np.arange(n) + rng.uniform(0.1, 0.9, n), rng.normal(size=n)])
            y = rng.permutation(np.arange(100, 100 + n))
            seed = int(rng.integers(2**31))
            cases.append(Case(label, (X, y, bs, Seeded(seed)), {"same_seed": Seeded(seed)},
                              hidden=hidden))
        return cases

    def call(self, fn, args, extra):
        X, y, batch_size, rng = args
        limit = len(X) + 2  # more batches than examples: an iterator that never stops

        def epoch(generator):
            result = fn(X, y, batch_size, generator)
            try:
                batches = iter(result)
            except TypeError:
                hint = " (is `return batches` missing?)" if result is None else ""
                raise NotPlain(f"{describe(result)}, which is not a list or generator of batches"
                               f"{hint}") from None
            batches = list(itertools.islice(batches, limit))
            for b in batches:
                if not isinstance(b, (tuple, list)) or len(b) != 2:
                    raise NotPlain(f"a batch that is {describe(b)}, not a pair (xb, yb)")
            return batches

        epochs = [epoch(rng) for _ in range(self.EPOCHS)]
        return {"epoch1": epochs[0], "epoch2": epochs[1], "later": epochs[2:],
                "same_seed": epoch(extra["same_seed"])}

    def describe_input(self, case):
        X, y, bs, _ = case.args
        return [f"  X of shape {X.shape}, y = {y.tolist()}, batch_size = {bs}, rng = a numpy Generator"]

    def _order(self, X, y, batches) -> tuple[list[int] | None, list[str] | None]:
        """The example indices in the order the batches give them, or a problem."""
        order = []
        for k, (xb, yb) in enumerate(batches):
            if not isinstance(xb, np.ndarray) or not isinstance(yb, np.ndarray):
                return None, [f"Batch {k} holds {describe(xb)} and {describe(yb)}; each batch must be "
                              "a pair of numpy arrays (xb, yb)."]
            if xb.ndim != 2 or xb.shape[1:] != X.shape[1:] or yb.shape != (len(xb),):
                return None, [f"Batch {k} has xb of shape {xb.shape} and yb of shape {yb.shape}; "
                              f"expected (B, {X.shape[1]}) and (B,)."]
            for row, label in zip(xb, yb):
                match = np.flatnonzero((X == row).all(axis=1))
                if match.size == 0:
                    return None, [f"Batch {k} holds a row that is not a row of X: {row.tolist()}."]
                i = int(match[0])
                if label != y[i]:
                    j = np.flatnonzero(y == label)
                    other = f"the label of example {int(j[0])}" if j.size else "not a label of y"
                    return None, [f"The labels no longer belong to their examples: batch {k} pairs "
                                  f"example {i} (label {y[i]}) with the label {label}, {other}.",
                                  "Hint: index X and y with the SAME permutation: "
                                  "X[idx] and y[idx] with the same index array idx."]
                order.append(i)
        return order, None

    @staticmethod
    def _repeats(order, n, bs) -> list[str]:
        """Why an epoch holds some examples twice and others never: indices drawn with replacement
        (a batch holds an example twice), or a new permutation for every batch."""
        counts = np.bincount(order, minlength=n)
        twice, never = np.flatnonzero(counts > 1), np.flatnonzero(counts == 0)
        lines = [f"Each example must appear exactly once per epoch; example {int(twice[0])} "
                 f"appears {int(counts[twice[0]])} times and example {int(never[0])} never."]
        batches = [order[start:start + bs] for start in range(0, n, bs)]
        if bs > 1 and all(len(set(b)) == len(b) for b in batches):
            lines.append("Within each batch the examples differ, but across the batches they repeat, "
                         "as when every batch draws a NEW permutation (or draws with replacement). "
                         "Hint: draw one permutation of the N examples per epoch and cut that one "
                         "order into batches.")
        else:
            lines.append("Hint: shuffle with a permutation (rng.permutation(N)), not random indices "
                         "(rng.integers draws with replacement), and draw it once per epoch, not "
                         "once per batch.")
        return lines

    @staticmethod
    def _fixed_tail(orders, n, bs) -> bool:
        """True when the last batch of every epoch holds the last n % bs examples of X.

        By chance that has probability 1/C(n, n % bs) per epoch: below 10⁻¹⁰ over 10 epochs."""
        r = n % bs
        return bool(r) and n > bs and all(sorted(o[-r:]) == list(range(n - r, n)) for o in orders)

    @staticmethod
    def _fixed_blocks(order, bs) -> bool:
        """True when every batch of this epoch is one of the fixed blocks [k·bs, (k+1)·bs)."""
        for start in range(0, len(order), bs):
            batch = sorted(order[start:start + bs])
            first = batch[0]
            if first % bs or batch != list(range(first, first + len(batch))):
                return False
        return True

    def judge(self, case, got):
        X, y, bs, _ = case.args
        n = len(X)
        want = [bs] * (n // bs) + ([n % bs] if n % bs else [])
        epochs = {}
        runs = [("epoch1", got["epoch1"]), ("epoch2", got["epoch2"]), ("same_seed", got["same_seed"]),
                *((f"epoch{k + 3}", batches) for k, batches in enumerate(got.get("later", [])))]
        for key, batches in runs:
            sizes = [len(b[0]) if hasattr(b[0], "__len__") else -1 for b in batches]
            if len(batches) > n + 1:
                return [f"Your iterator gave more than {n + 1} batches for {n} examples: it does not "
                        "stop after one epoch."]
            if sizes != want:
                lines = [f"The batch sizes are {sizes}; expected {want} (every batch full except "
                         "perhaps the last)."]
                if sizes == [bs] * (n // bs):
                    lines.append(f"You dropped the last {n % bs} example(s). Hint: also yield the "
                                 "smaller last batch: range(0, N, batch_size) covers it.")
                elif sorted(sizes) == sorted(want):
                    lines.append("The smaller batch is not the last one: were the batches shuffled "
                                 "instead of the examples? Hint: shuffle the examples, then cut "
                                 "the shuffled order into batches.")
                return lines
            order, problem = self._order(X, y, batches)
            if problem:
                return problem
            if sorted(order) != list(range(n)):
                return self._repeats(order, n, bs)
            epochs[key] = order
        if n >= 8 and epochs["epoch1"] == epochs["epoch2"] == list(range(n)):
            return ["The batches come in the original order: nothing was shuffled.",
                    "Hint: draw a random order of the N examples from rng, and take them in that order."]
        blocks = [self._fixed_blocks(epochs[key], bs) for key in ("epoch1", "epoch2")]
        if bs > 1 and n >= 15 and all(blocks):  # by chance: < 1e-7 for these sizes
            return ["Every batch is a block of consecutive examples of X (examples "
                    f"0–{bs - 1}, {bs}–{2 * bs - 1}, …), in both epochs: the batches were shuffled "
                    "instead of the examples, so the same examples always meet in the same batch.",
                    "Hint: shuffle the examples themselves, then cut the shuffled order into "
                    "batches."]
        if epochs["same_seed"] != epochs["epoch1"]:
            return ["A fresh rng with the same seed gave a different order, so the order does not "
                    "come from the rng you were given.",
                    "Hint: use rng.permutation(N), not np.random.* or a new default_rng()."]
        if n >= 8 and epochs["epoch2"] == epochs["epoch1"]:
            if bs > 1 and all(blocks):
                return ["Both epochs gave the same batches, each a block of consecutive examples "
                        "of X: were the batches shuffled instead of the examples?",
                        "Hint: shuffle the examples themselves, then cut the shuffled order into "
                        "batches."]
            return ["Two epochs with the same rng came in the same order.",
                    "Hint: draw a new permutation from rng at every call (do not re-seed or copy the rng)."]
        shuffled = [order for key, order in epochs.items() if key != "same_seed"]
        if self._fixed_tail(shuffled, n, bs):
            r = n % bs
            which = f"example {n - 1}, the last one" if r == 1 else \
                f"examples {n - r}–{n - 1}, the last {r}"
            return [f"In all {len(shuffled)} epochs the last batch held {which} of X: only the full "
                    f"batches were shuffled, so the last {r} example(s) never mix with the others "
                    "and always come last.",
                    "Hint: shuffle all N examples (one permutation of all of them), then cut that "
                    "order into batches; the smaller last batch then holds random examples."]
        return None


MINIBATCHES = MinibatchesPart(
    "minibatches", "minibatches(X, y, batch_size, rng)", "06",
    mutation_hint="do not shuffle X or y in place (rng.shuffle(X) changes the caller's data): "
                  "index them with a permutation instead.",
    hints=(
        "One epoch visits every example exactly once, in a fresh random order, cut into batches "
        "of batch_size (the last one may be smaller).",
        "Draw a random order of 0, …, N−1 from rng; batch k holds the examples order[k·B : "
        "(k+1)·B], from X and from y alike.",
        "rng.permutation(N) gives the order; index X and y with the SAME index array (fancy "
        "indexing makes copies, so X and y stay unchanged).",
    ))


def _momentum(w, g, v, lr, mu):
    v_new = mu * v - lr * g
    return w + v_new, v_new


def _momentum_cases(rng):
    return [
        Case("random w, grad and v, η = 0.1, μ = 0.9",
             (rng.normal(size=3), rng.normal(size=3), rng.normal(size=3) * 0.1, 0.1, 0.9)),
        Case("a (2, 2) matrix, η = 0.05, μ = 0.5",
             (rng.normal(size=(2, 2)), rng.normal(size=(2, 2)), rng.normal(size=(2, 2)) * 0.1, 0.05, 0.5)),
        Case("the first step (v = 0)", (rng.normal(size=4), rng.normal(size=4), np.zeros(4), 0.1, 0.9)),
        Case("a zero gradient (w coasts on v)", (rng.normal(size=3), np.zeros(3), rng.normal(size=3), 0.1, 0.9)),
    ]


MOMENTUM_STEP = FunctionPart(
    "momentum_step", "momentum_step(w, grad, v, lr, mu)", "06", _momentum_cases, _momentum,
    outputs=("w_new", "v_new"),
    mistakes=[
        (lambda w, g, v, lr, mu: (w - lr * (mu * v + g), mu * v + g),
         "the form v ← μv + ∇C, w ← w − ηv (as in PyTorch). Hint: this course uses "
         "v ← μv − η∇C and w ← w + v."),
        (lambda w, g, v, lr, mu: (w - (mu * v + lr * g), mu * v + lr * g),
         "the form v ← μv + η∇C, w ← w − v: the velocity has the opposite sign. Hint: this course "
         "uses v ← μv − η∇C and w ← w + v."),
        (lambda w, g, v, lr, mu: (w - lr * g, -lr * g), "plain SGD: μv is missing. Hint: "
                                                        "v ← μv − η∇C."),
        (lambda w, g, v, lr, mu: (w + v, mu * v - lr * g), "a w moved by the OLD velocity. Hint: "
                                                           "update v first, then w ← w + v_new."),
        (lambda w, g, v, lr, mu: (w - (mu * v - lr * g), mu * v - lr * g),
         "w − v: the step goes uphill. Hint: w ← w + v with v ← μv − η∇C."),
    ],
    hints=(
        "The velocity v remembers past steps; the weights then move by the velocity, not by the "
        "gradient directly.",
        "v ← μv − η∇C, then w ← w + v, with the NEW v.",
        "Plain elementwise arithmetic on the arrays; return both, w_new first, as a tuple.",
    ),
)


def _adam(w, g, m, v, t, lr, b1, b2, eps):
    m = b1 * m + (1 - b1) * g
    v = b2 * v + (1 - b2) * g * g
    m_hat = m / (1 - b1 ** t)
    v_hat = v / (1 - b2 ** t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def _adam_cases(rng):
    def state(shape):
        return rng.normal(size=shape) * 0.1, rng.uniform(0, 0.01, shape)

    m1, v1 = state(3)
    m2, v2 = state((2, 3))
    return [
        Case("the first step (t = 1, m = v = 0)",
             (rng.normal(size=3), rng.normal(size=3), np.zeros(3), np.zeros(3), 1, 1e-3, 0.9, 0.999, 1e-8)),
        Case("step t = 5 with some history", (rng.normal(size=3), rng.normal(size=3), m1, v1, 5,
                                              0.01, 0.9, 0.999, 1e-8)),
        Case("a (2, 3) matrix at step t = 1000", (rng.normal(size=(2, 3)), rng.normal(size=(2, 3)), m2, v2,
                                                  1000, 1e-3, 0.8, 0.99, 1e-8)),
        Case("tiny gradients at the first step", (rng.normal(size=4), rng.normal(size=4) * 1e-6,
                                                  np.zeros(4), np.zeros(4), 1, 1e-3, 0.9, 0.999, 1e-8)),
        Case("ε = 0.01 with gradients of about 0.01, at step t = 10 (ε matters)",
             (rng.normal(size=3), rng.normal(size=3) * 0.01, rng.normal(size=3) * 0.01 * (1 - 0.9 ** 10),
              rng.uniform(0.5, 1.5, 3) * 1e-4 * (1 - 0.999 ** 10), 10, 0.01, 0.9, 0.999, 0.01)),
        Case("a large ε, from 0.05 to 0.5, with small gradients",
             (rng.normal(size=(2, 2)), rng.normal(size=(2, 2)) * 0.05, np.zeros((2, 2)), np.zeros((2, 2)),
              1, 0.1, 0.9, 0.999, float(np.round(rng.uniform(0.05, 0.5), 3))), hidden=True),
    ]


def _adam_no_correction(w, g, m, v, t, lr, b1, b2, eps):
    m = b1 * m + (1 - b1) * g
    v = b2 * v + (1 - b2) * g * g
    return w - lr * m / (np.sqrt(v) + eps), m, v


def _adam_eps_inside(w, g, m, v, t, lr, b1, b2, eps):
    m = b1 * m + (1 - b1) * g
    v = b2 * v + (1 - b2) * g * g
    return w - lr * (m / (1 - b1 ** t)) / np.sqrt(v / (1 - b2 ** t) + eps), m, v


def _adam_v_not_squared(w, g, m, v, t, lr, b1, b2, eps):
    m = b1 * m + (1 - b1) * g
    v = b2 * v + (1 - b2) * g
    return w - lr * (m / (1 - b1 ** t)) / (np.sqrt(v / (1 - b2 ** t)) + eps), m, v


ADAM_STEP = FunctionPart(
    "adam_step", "adam_step(w, grad, m, v, t, lr, beta1, beta2, eps)", "06", _adam_cases, _adam,
    outputs=("w_new", "m_new", "v_new"),
    mistakes=[
        (_adam_no_correction, "Adam without bias correction. Hint: divide m by 1 − β₁^t and v by "
                              "1 − β₂^t before the step."),
        (lambda w, g, m, v, t, *rest: _adam(w, g, m, v, t + 1, *rest),
         "Adam with t + 1 in the bias correction. Hint: t is already this step's number "
         "(t = 1 at the first step); do not add 1."),
        (_adam_eps_inside, "ε inside the square root. Hint: the step is η m̂ / (√v̂ + ε)."),
        (lambda w, g, m, v, t, lr, b1, b2, eps: _adam(w, g, m, v, t, lr, b1, b2, 1e-8),
         "Adam with ε = 1e-8 whatever eps is: the eps argument is ignored. Hint: use the eps "
         "you are given (it can be large, e.g. 0.01, and then it changes the step)."),
        (_adam_v_not_squared, "a v built from the gradient, not its square. Hint: "
                              "v ← β₂ v + (1 − β₂) ∇C²."),
        (lambda w, g, m, v, t, lr, b1, b2, eps: (2 * w - _adam(w, g, m, v, t, lr, b1, b2, eps)[0],
                                                 *_adam(w, g, m, v, t, lr, b1, b2, eps)[1:]),
         "a step uphill (w + …). Hint: w ← w − η m̂ / (√v̂ + ε)."),
    ],
    hints=(
        "Adam divides a running mean of the gradients by the root of a running mean of their "
        "squares; both means start at 0, so both are corrected for that start.",
        "m ← β₁m + (1 − β₁)∇C;  v ← β₂v + (1 − β₂)∇C²;  m̂ = m/(1 − β₁^t);  v̂ = v/(1 − β₂^t);  w"
        " ← w − η m̂/(√v̂ + ε), with t = 1 at the first step.",
        "np.sqrt works elementwise; ε goes outside the root; return w_new, m_new, v_new (the "
        "uncorrected m and v).",
    ),
)

PARTS = [MINIBATCHES, MOMENTUM_STEP, ADAM_STEP]


def check_minibatches(minibatches) -> CheckResult:
    """Check your `minibatches(X, y, batch_size, rng)`: shuffled batches, every example once.  Chapter 06."""
    return run_check(MINIBATCHES, minibatches)


def check_momentum_step(momentum_step) -> CheckResult:
    """Check your `momentum_step(w, grad, v, lr, mu)`: v ← μv − η∇C, w ← w + v.  Chapter 06."""
    return run_check(MOMENTUM_STEP, momentum_step)


def check_adam_step(adam_step) -> CheckResult:
    """Check your `adam_step(w, grad, m, v, t, lr, beta1, beta2, eps)`, t = 1 at the first step.  Chapter 06."""
    return run_check(ADAM_STEP, adam_step)
