"""Checks for chapter 09, overfitting and dropout: the mask, inverted dropout forward and backward,
and early stopping."""

from __future__ import annotations

import numpy as np

from ._core import Case, CheckResult, Part, is_number, materialise, run_check
from ._parts import FunctionPart
from ._plain import Builtin, Seeded, describe, fmt, shape_text


class DropoutMaskPart(Part):
    """dropout_mask(shape, p_drop, rng) → a boolean mask, True = keep; judged statistically.

    The call draws two masks from the learner's rng and one from a fresh rng of the same seed.
    """

    def cases(self, rng):
        def seeded():
            return int(rng.integers(2**31))

        cases = []
        for label, shape, p, hidden in (("200 × 500 units, p_drop = 0.2", (200, 500), 0.2, False),
                                        ("100 × 1000 units, p_drop = 0.7", (100, 1000), 0.7, False),
                                        ("p_drop = 0 (keep everything)", (1, 50), 0.0, False),
                                        ("a small (4, 3) layer, p_drop = 0.5", (4, 3), 0.5, False),
                                        ("a batch of 1000 with 50 units, p_drop = 0.5", (1000, 50), 0.5,
                                         True),
                                        ("3-d activations (20, 30, 40), p_drop = 0.3", (20, 30, 40), 0.3,
                                         True)):
            seed = seeded()
            cases.append(Case(label, (shape, p, Seeded(seed)), {"same_seed": Seeded(seed)},
                              hidden=hidden))
        return cases

    def call(self, fn, args, extra):
        shape, p, rng = args
        return {"first": fn(shape, p, rng), "second": fn(shape, p, rng),
                "same_seed": fn(shape, p, extra["same_seed"])}

    def describe_input(self, case):
        shape, p, _ = case.args
        return [f"  shape = {shape}, p_drop = {p}, rng = a numpy Generator"]

    def judge(self, case, got):
        shape, p, _ = case.args
        masks = {}
        for key in ("first", "second", "same_seed"):
            m = got[key]
            if not isinstance(m, np.ndarray) or m.shape != tuple(shape):
                return [f"The mask should be an array of shape {shape_text(shape)}, got {describe(m)}."]
            if m.dtype != bool and not np.isin(m, (0, 1)).all():
                return ["A mask holds only True/False (or 1/0): True where a unit is kept.",
                        "Hint: a comparison gives a boolean array; True means keep."]
            masks[key] = m.astype(bool)
        kept = float(masks["first"].mean())
        first = masks["first"]
        if 0 < p and first.size >= 10_000 and first.shape[0] > 1 and (first == first[:1]).all():
            return [f"Every example of the batch got the same mask (all {first.shape[0]} rows are "
                    "equal): the same units are dropped for the whole batch.",
                    "Hint: each entry — every example and every unit — is kept or dropped on its "
                    "own; draw one random number per entry of `shape`."]
        if 0 < p and first.size >= 10_000 and first.shape[-1] > 1 and (first == first[..., :1]).all():
            return ["Within each example every unit got the same value: whole examples are kept or "
                    "dropped, not single units.",
                    "Hint: draw one random number per entry of `shape`, not one per example."]
        if p == 0.0 and kept != 1.0:
            return [f"With p_drop = 0 every unit must be kept; your mask keeps {kept:.1%}."]
        if masks["first"].size >= 10_000:
            # six standard deviations of the kept fraction: a right mask fails < 1e-8 of the time
            if abs(kept - (1 - p)) > max(0.01, 6 * np.sqrt(p * (1 - p) / masks["first"].size)):
                lines = [f"Your mask keeps {kept:.1%} of the units; with p_drop = {p} about "
                         f"{1 - p:.0%} must be kept."]
                if abs(kept - p) <= 0.01:
                    lines.append("You kept each unit with probability p_drop. Hint: p_drop is the "
                                 "probability of DROPPING a unit; True means keep: "
                                 "keep where the random number is at least p_drop.")
                return lines
            if np.array_equal(masks["first"], masks["second"]):
                return ["Two calls with the same rng gave the same mask.",
                        "Hint: draw from the rng you are given each time (do not re-seed it)."]
        if not np.array_equal(masks["first"], masks["same_seed"]):
            return ["A fresh rng with the same seed gave a different mask, so your mask does not come "
                    "from the rng you were given.",
                    "Hint: use rng.random(shape), not np.random.* or a new default_rng()."]
        return None


DROPOUT_MASK = DropoutMaskPart("dropout_mask", "dropout_mask(shape, p_drop, rng)", "09",
                               hints=(
                                   "Each unit of each example is kept or dropped on its own, like"
                                   " a coin that comes up 'keep' with probability 1 − p_drop.",
                                   "Keep an entry where a uniform random number u in [0, 1) is at"
                                   " least p_drop: P(u ≥ p_drop) = 1 − p_drop.",
                                   "rng.random(shape) draws one uniform number per entry from the"
                                   " rng you are given; a comparison with a number gives the "
                                   "boolean array.",
                               ))


def _mask_cases(rng):
    cases = []
    for label, shape, p in (("a batch of 4 with 5 units, p_drop = 0.5", (4, 5), 0.5),
                            ("p_drop = 0.2", (3, 6), 0.2),
                            ("p_drop = 0 (nothing dropped)", (2, 3), 0.0),
                            ("a batch of one, p_drop = 0.8", (1, 7), 0.8)):
        mask = rng.random(shape) >= p
        cases.append(Case(label, (rng.normal(size=shape), mask, p)))
    return cases


DROPOUT_FORWARD = FunctionPart(
    "dropout_forward", "dropout_forward(a, mask, p_drop)", "09", _mask_cases,
    lambda a, m, p: a * m / (1 - p),
    mistakes=[
        (lambda a, m, p: a * m, "a ⊙ mask: the 1/(1 − p_drop) scaling is forgotten. Hint: inverted "
                                "dropout divides the kept units by 1 − p_drop, so that the expected "
                                "activation stays a and nothing changes at test time."),
        (lambda a, m, p: a * m / p, "a ⊙ mask / p_drop. Hint: divide by the probability of KEEPING, "
                                    "1 − p_drop."),
        (lambda a, m, p: a * m * (1 - p), "a ⊙ mask · (1 − p_drop), the old test-time rule. Hint: "
                                          "inverted dropout DIVIDES by 1 − p_drop while training."),
        (lambda a, m, p: a * ~m / (1 - p), "the dropped units kept and the kept ones dropped. Hint: "
                                           "True in the mask means keep."),
    ],
    hints=(
        "Drop the masked units and scale the kept ones up, so that the expected activation stays "
        "a.",
        "a_out = a ⊙ mask / (1 − p_drop).",
        "Multiplying by a boolean array treats True as 1 and False as 0.",
    ),
)

DROPOUT_BACKWARD = FunctionPart(
    "dropout_backward", "dropout_backward(dC_da, mask, p_drop)", "09", _mask_cases,
    lambda g, m, p: g * m / (1 - p),
    mistakes=[
        (lambda g, m, p: g * m, "∂C/∂a ⊙ mask without the 1/(1 − p_drop). Hint: the forward pass "
                                "scaled the kept units, so the backward pass scales their gradient "
                                "by the same factor."),
        (lambda g, m, p: g.copy(), "∂C/∂a unchanged. Hint: a dropped unit did not affect the cost: "
                                   "its gradient is 0; the kept ones are scaled by 1/(1 − p_drop)."),
        (lambda g, m, p: g * m / p, "∂C/∂a ⊙ mask / p_drop. Hint: divide by 1 − p_drop."),
    ],
    hints=(
        "A dropped unit had no effect on the cost; a kept one was multiplied by the same factor "
        "as in the forward pass.",
        "∂C/∂a_in = ∂C/∂a_out ⊙ mask / (1 − p_drop).",
        "The same elementwise operation as the forward pass, on the gradient.",
    ),
)


def _early_stopping(losses, patience, strict=True, late=0, reset=True, min_delta=0.0,
                    keep_last=False):
    """The reference (the defaults), and with one option changed a known mistake: an equal loss
    counted as an improvement (strict=False), stopping `late` epochs late (or early), a counter
    never reset, an improvement that must beat the best by min_delta of it, or the last epoch
    kept when patience never runs out."""
    best, best_epoch, waited = np.inf, 0, 0
    for epoch, loss in enumerate(losses):
        if (loss < best * (1 - min_delta)) if strict else (loss <= best):
            best, best_epoch = loss, epoch
            if reset:
                waited = 0
        else:
            waited += 1
            if waited >= patience + late:
                return best_epoch
    return len(losses) - 1 if keep_last else best_epoch


def _curve(rng, moves: str) -> np.ndarray:
    """A validation curve from a string of moves: I = a strict improvement on the best so far,
    B = a bad epoch (higher than the best), E = exactly equal to the best, i = an improvement of
    only 1e-7 to 1e-6 of the loss (still strictly lower: it counts), D = a dip far below
    everything before (placed after the stop, where early stopping must not see it)."""
    best = float(rng.uniform(0.8, 1.6))
    losses = [best]
    for move in moves:
        if move == "I":
            best *= float(rng.uniform(0.75, 0.97))
            losses.append(best)
        elif move == "B":
            losses.append(best * float(rng.uniform(1.01, 1.3)))
        elif move == "E":
            losses.append(best)
        elif move == "i":
            best *= 1.0 - float(rng.uniform(1e-7, 1e-6))
            losses.append(best)
        else:  # "D"
            losses.append(min(losses) * float(rng.uniform(0.2, 0.6)))
    return np.array(losses)


def _early_cases(rng):
    """Each case separates a known mistake from early stopping on every seed: its structure (the
    moves) is fixed, its numbers and some lengths are drawn. The hidden ones have other shapes."""
    k = int(rng.integers(1, 3))          # extra improvements at the start
    p = int(rng.integers(3, 5))          # patience of the reset case: 3 or 4
    # no reset of the counter: I·B·I then p − 1 bad epochs, an improvement, p bad epochs, a dip
    reset = "I" * k + "BI" + "B" * (p - 1) + "I" + "B" * p + "D"
    public = [
        Case("a bad epoch, an improvement, then fewer than patience bad epochs",
             (_curve(rng, reset), p)),
        # one epoch after the stop comes an improvement, later a deeper dip: waiting one epoch
        # too long and np.argmin of the whole list give two different wrong answers
        Case("a dip after patience ran out", (_curve(rng, "I" * k + "B" * 3 + "I" + "B" * 4 + "D"), 3)),
        Case("equal losses are no improvement", (_curve(rng, "I" * k + "EE" + "I" + "BB" + "D"), 2)),
        Case("a loss that keeps falling", (_curve(rng, "I" * int(rng.integers(4, 7))), 2)),
        Case("patience 1", (_curve(rng, "IBIB" + "D"), 1)),
        # never stops, and ends on bad epochs: the best epoch, not the last one
        Case("training ends before patience runs out", (_curve(rng, "I" * k + "IB" + "B" * (p - 2)), p)),
        Case("a tiny improvement still counts", (_curve(rng, "IB" + "i" + "BB" + "D"), 2)),
    ]
    hidden = [
        Case("the best loss at the first epoch", (_curve(rng, "B" * 4 + "D"), 4), hidden=True),
        Case("two resets, patience 2", (_curve(rng, "IBIBIBB" + "D"), 2), hidden=True),
        Case("an equal loss after a bad one", (_curve(rng, "IBEBI" + "BBB" + "D"), 3), hidden=True),
        Case("a list of plain floats, patience 5",
             ([float(x) for x in _curve(rng, "II" + "BBBBI" + "BBBBB" + "D")], 5), hidden=True),
        Case("the end of training after an equal loss and bad epochs",
             (_curve(rng, "IIBI" + "EB"), 3), hidden=True),
        Case("tiny improvements in a row", (_curve(rng, "IB" + "iBi" + "BBB" + "D"), 3), hidden=True),
    ]
    return public + hidden


EARLY_STOPPING = FunctionPart(
    "early_stopping", "early_stopping(val_losses, patience)", "09", _early_cases, _early_stopping,
    mistakes=[
        (lambda losses, patience: int(np.argmin(losses)),
         "the best epoch of the WHOLE list (np.argmin). Hint: early stopping stops once `patience` "
         "epochs in a row did not improve, and never sees the epochs after that."),
        (lambda losses, patience: _early_stopping(losses, patience, strict=False),
         "the result when an equal loss counts as an improvement. Hint: improve means strictly lower (<)."),
        (lambda losses, patience: _early_stopping(losses, patience) + 1,
         "the epoch counted from 1. Hint: return the 0-based index into val_losses."),
        (lambda losses, patience: _early_stopping(losses, patience, late=1),
         "the result of waiting one epoch too long. Hint: stop as soon as `patience` epochs in a row "
         "were no better than the best."),
        (lambda losses, patience: _early_stopping(losses, patience, late=-1),
         "the result of stopping one epoch too early. Hint: stop when the count of epochs in a row "
         "without improvement REACHES patience (patience 3: three bad epochs, then stop)."),
        (lambda losses, patience: _early_stopping(losses, patience, keep_last=True),
         "the last epoch when training never stops. Hint: the epoch to keep is the best one, also "
         "when patience never ran out."),
        (lambda losses, patience: _early_stopping(losses, patience, min_delta=1e-5),
         "the result when an improvement must beat the best by a margin. Hint: any strictly lower "
         "loss is an improvement, however small."),
        (lambda losses, patience: _early_stopping(losses, patience, reset=False),
         "the result of a counter that is never reset: bad epochs before an improvement still "
         "count after it. Hint: `patience` bad epochs IN A ROW stop training; an improvement "
         "starts the count again."),
    ],
    hints=(
        "Walk through the epochs as training would: remember the best loss so far, its epoch, and"
        " how many epochs IN A ROW have not beaten it.",
        "An epoch improves when its loss is strictly lower than the best; an improvement resets "
        "the count to 0; when the count reaches patience, stop and return the best epoch "
        "(0-based).",
        "One for loop over enumerate(val_losses), with break; nothing after the stop is looked "
        "at.",
    ),
)

def check_dropout_mask(dropout_mask) -> CheckResult:
    """Check your `dropout_mask(shape, p_drop, rng)`: True = keep, with probability 1 − p_drop.  Chapter 09."""
    return run_check(DROPOUT_MASK, dropout_mask)


def check_dropout_forward(dropout_forward) -> CheckResult:
    """Check your `dropout_forward(a, mask, p_drop)`: a ⊙ mask / (1 − p_drop).  Chapter 09."""
    return run_check(DROPOUT_FORWARD, dropout_forward)


def check_dropout_backward(dropout_backward) -> CheckResult:
    """Check your `dropout_backward(dC_da, mask, p_drop)`: ∂C/∂a ⊙ mask / (1 − p_drop).  Chapter 09."""
    return run_check(DROPOUT_BACKWARD, dropout_backward)


def check_early_stopping(early_stopping) -> CheckResult:
    """Check your `early_stopping(val_losses, patience)`: the 0-based epoch to keep.  Chapter 09."""
    return run_check(EARLY_STOPPING, early_stopping)


# ----------------------------------------------------------------------------------------------
# dropout_gap: a measurement — the train–validation gap with and without dropout

def _gap_case(rng, label, make_data, n_train, noise, width, epochs, p_drops, n_seeds, hidden=False):
    X_train, y_train = make_data(n_train, rng=rng, noise=noise)
    X_val, y_val = make_data(400, rng=rng, noise=noise)
    seeds = tuple(int(s) for s in rng.choice(1000, size=n_seeds, replace=False))
    net = Builtin("dropout_net", {"n_in": 2, "n_out": 2, "width": width,
                                  "text": f"make_net(p_drop, rng): 2 → {width} → {width} → 2, ReLU, "
                                          "a Dropout(p_drop) after each hidden layer when p_drop > 0"})
    train = Builtin("dropout_train", {"epochs": epochs, "batch_size": 20, "lr": 0.01,
                                      "text": f"train(model, X, y, rng): {epochs} epochs of Adam (η = "
                                              "0.01), batches of 20, shuffled with rng; returns the "
                                              "History"})
    return Case(label, (net, train, (X_train, y_train, X_val, y_val), tuple(p_drops), seeds),
                secret={}, hidden=hidden)


def _gap_cases(rng):
    from ..data import make_circles, make_moons, make_xor

    return [
        _gap_case(rng, "the chapter's experiment, smaller: 60 noisy moons, 2 × 64 units, "
                       "p_drop 0 and 0.5, 2 seeds", make_moons, 60, 0.3, 64, 150, (0.0, 0.5), 2),
        _gap_case(rng, "three rates of dropout, one seed", make_moons, 60, 0.3, 48, 120,
                  (0.0, 0.25, 0.5), 1),
        _gap_case(rng, "dropout first, then none: the order of p_drops is kept", make_moons, 50, 0.25,
                  32, 100, (0.5, 0.0), 2),
        _gap_case(rng, "two noisy circles, 3 seeds", make_circles, 80, 0.15, 48, 100, (0.0, 0.3), 3,
                  hidden=True),
        _gap_case(rng, "one rate only, on XOR data", make_xor, 60, 0.35, 32, 100, (0.2,), 2, hidden=True),
    ]


def _train_mode_accuracy(model, X, y):
    """The accuracy read with dropout still on (the mistake of measuring in train mode)."""
    model.train()
    return float(np.mean(model.forward(X).argmax(axis=1) == y))


def _one_run(make_net, train, data, p_drop, seed):
    """The measurements of one training run (and what the known mistakes would read instead)."""
    import copy

    from ..losses import SoftmaxCrossEntropy
    from ..training import evaluate

    X_train, y_train, X_val, y_val = data
    rng = np.random.default_rng(seed)
    model = make_net(p_drop, rng)
    history = train(model, X_train, y_train, rng)
    loss = SoftmaxCrossEntropy()
    on_train, on_val = evaluate(model, loss, X_train, y_train), evaluate(model, loss, X_val, y_val)
    noisy = copy.deepcopy(model)  # its dropout layers draw masks: the honest model stays untouched
    return {"train": on_train["accuracy"], "val": on_val["accuracy"],
            "train_loss": on_train["loss"], "val_loss": on_val["loss"],
            "history": float(history["accuracy"][-1]),
            "train_mode": _train_mode_accuracy(noisy, X_train, y_train)
            - _train_mode_accuracy(noisy, X_val, y_val)}


class DropoutGapPart(Part):
    """dropout_gap(make_net, train, data, p_drops, seeds) → the mean train–validation accuracy gap
    for each p_drop. The check runs the same experiment itself — one fresh
    np.random.default_rng(seed) per (p_drop, seed) — so the honest measurement is reproduced
    exactly, and each known mistake (the History's batch accuracy, dropout left on while
    measuring, the loss gap, one seed only, …) gives other numbers."""

    diagnose_across_cases = True

    def cases(self, rng):
        return _gap_cases(rng)

    def call(self, fn, args, extra):
        got = fn(*args)
        if isinstance(got, (list, tuple)) and got and all(is_number(g) for g in got):
            return np.array([float(g) for g in got])  # a list of gaps is as good as an array
        return got

    def _runs(self, case):
        """{(p_drop, seed): measurements}, run once per case (kept in the judge's secret)."""
        if "runs" not in case.secret:
            make_net, train, data, p_drops, seeds = materialise(case.args)
            case.secret["runs"] = {(p, s): _one_run(make_net, train, data, p, s)
                                   for p in dict.fromkeys((*p_drops, 0.0)) for s in seeds}
        return case.secret["runs"]

    def _table(self, case, read, p_of=lambda p: p, seeds=None):
        runs = self._runs(case)
        _, _, _, p_drops, all_seeds = case.args
        return np.array([np.mean([read(runs[p_of(p), s]) for s in (seeds or all_seeds)])
                         for p in p_drops])

    def expected(self, case):
        return self._table(case, lambda r: r["train"] - r["val"])

    def wrong(self, case):
        seeds = case.args[4]
        gap = lambda r: r["train"] - r["val"]  # noqa: E731
        mistakes = [
            (self._table(case, lambda r: r["val"] - r["train"]),
             "validation minus training accuracy: the gap with its sign turned. Hint: the gap is "
             "training accuracy − validation accuracy; it is positive when the network does better "
             "on the examples it learned from."),
            (100 * self.expected(case), "the gap in percent. Hint: return fractions (0.05, not 5)."),
            (self._table(case, lambda r: r["val_loss"] - r["train_loss"]),
             "the gap of the LOSSES (validation − training cost). Hint: this part measures "
             "accuracies: the fraction of examples classified right."),
            (self._table(case, lambda r: r["history"] - r["val"]),
             "the gap with the training accuracy from the History (history[\"accuracy\"][-1]). "
             "Hint: that number is counted batch by batch while the weights still change, and with "
             "dropout switched on; measure the whole training set after training, in eval mode "
             "(nl.predict and nl.evaluate switch to eval mode)."),
            (self._table(case, lambda r: r["train_mode"]),
             "the gap measured with dropout still on (model.forward in train mode). Hint: "
             "measure in eval mode: nl.predict or nl.evaluate, or model.eval() before "
             "model.forward."),
            (self._table(case, gap, p_of=lambda p: 0.0),
             "the gap WITHOUT dropout for every p_drop: your networks have no dropout. Hint: pass "
             "each p_drop to make_net."),
            (self._table(case, gap, seeds=seeds[:1]),
             "the gap of the FIRST seed only. Hint: average the gap over all the seeds: one "
             "training run is one draw of a random result."),
            (len(seeds) * self.expected(case),
             "the SUM of the gaps over the seeds. Hint: average over the seeds (divide by how many "
             "there are)."),
        ]
        if len(seeds) > 1:
            mistakes.append((self._table(case, gap, seeds=seeds[-1:]),
                             "the gap of the LAST seed only. Hint: average the gap over all the "
                             "seeds, not only the last run's."))
        return mistakes

    def describe_input(self, case):
        net, train, data, p_drops, seeds = case.args
        X_train, _, X_val, _ = data
        return [f"  make_net: {net.params['text']}", f"  train:    {train.params['text']}",
                f"  data = (X_train {shape_text(X_train.shape)}, y_train, X_val "
                f"{shape_text(X_val.shape)}, y_val)",
                f"  p_drops = {p_drops}, seeds = {seeds}"]

    def judge(self, case, got):
        p_drops = case.args[3]
        if not (isinstance(got, np.ndarray) and got.shape == (len(p_drops),)
                and got.dtype.kind in "iuf"):
            return [f"Your function should return one gap per p_drop, an array of shape "
                    f"({len(p_drops)},) here, got {describe(got)}."]
        expected = self.expected(case)
        if np.allclose(got, expected, rtol=self.rtol, atol=self.atol):
            return None
        lines = []
        for p, e, g in zip(p_drops, expected, got):
            ok = np.isclose(g, e, rtol=self.rtol, atol=self.atol)
            lines.append(f"  p_drop = {p}: {'✓' if ok else '✗'} expected a gap of {fmt(e)}, "
                         f"got {fmt(g)}")
        return ["The gaps differ from the check's run of the same experiment:", *lines,
                "The gap is training accuracy − validation accuracy, both on the whole set after "
                "training and in eval mode, averaged over the seeds; it grows with the network's "
                "capacity against the number of training examples (here "
                f"{len(case.args[2][0])}) and with the noise in the labels, and dropout shrinks it. "
                "Each (p_drop, seed) run is reproducible only when it starts from its own "
                "generator, np.random.default_rng(seed), used first by make_net and then by train."]

    def passed_message(self, cases, outcomes):
        # what the first experiment showed, not its digits: the gaps come from chaotic training
        # runs, and their last digits may differ from one machine to the next
        first = cases[0]
        gaps = dict(zip(first.args[3], self.expected(first)))
        shown = ""
        if 0.0 in gaps and len(gaps) > 1:
            p = max(gaps)
            shrank = "shrank" if gaps[p] < gaps[0.0] else "did not shrink"
            shown = f"; on the first, dropout with p_drop = {p} {shrank} the gap"
        return (f"✓ {self.name}: your measurement reproduces the check's experiment on "
                f"{len(cases)} test inputs{shown}")


DROPOUT_GAP = DropoutGapPart(
    "dropout_gap", "dropout_gap(make_net, train, data, p_drops, seeds)", "09",
    rtol=1e-9, atol=1e-12, time_limit=120.0,
    hints=(
        "For every p_drop and every seed, build a fresh network, train it, and measure how much "
        "better it does on the examples it trained on than on the validation examples; average "
        "over the seeds.",
        "gap = accuracy on the whole training set − accuracy on the validation set, both after "
        "training with dropout switched OFF (eval mode); one generator np.random.default_rng(seed) per "
        "run, given to make_net and then to train.",
        "nl.predict(model, X).argmax(axis=1) gives the predicted classes in eval mode (or "
        "nl.evaluate(model, nl.SoftmaxCrossEntropy(), X, y)[\"accuracy\"]); == y and np.mean "
        "give the accuracy; np.array of the averages, one per p_drop, in the order given.",
    ),
)

PARTS = [DROPOUT_MASK, DROPOUT_FORWARD, DROPOUT_BACKWARD, EARLY_STOPPING, DROPOUT_GAP]


def check_dropout_gap(dropout_gap) -> CheckResult:
    """Check your `dropout_gap(make_net, train, data, p_drops, seeds)` → the mean train–validation
    accuracy gap for each p_drop, measured after training in eval mode.  Chapter 09."""
    return run_check(DROPOUT_GAP, dropout_gap)
