"""Checks for chapter 09, overfitting and dropout: the mask, inverted dropout forward and backward,
and early stopping."""

from __future__ import annotations

import numpy as np

from ._core import Case, CheckResult, Part, run_check
from ._parts import FunctionPart
from ._plain import Seeded, describe, shape_text


class DropoutMaskPart(Part):
    """dropout_mask(shape, p_drop, rng) → a boolean mask, True = keep; judged statistically.

    The call draws two masks from the learner's rng and one from a fresh rng of the same seed.
    """

    def cases(self, rng):
        def seeded():
            return int(rng.integers(2**31))

        cases = []
        for label, shape, p in (("200 × 500 units, p_drop = 0.2", (200, 500), 0.2),
                                ("100 × 1000 units, p_drop = 0.7", (100, 1000), 0.7),
                                ("p_drop = 0 (keep everything)", (1, 50), 0.0),
                                ("a small (4, 3) layer, p_drop = 0.5", (4, 3), 0.5)):
            seed = seeded()
            cases.append(Case(label, (shape, p, Seeded(seed)), {"same_seed": Seeded(seed)}))
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
                        "Hint: mask = rng.random(shape) >= p_drop."]
            masks[key] = m.astype(bool)
        kept = float(masks["first"].mean())
        if p == 0.0 and kept != 1.0:
            return [f"With p_drop = 0 every unit must be kept; your mask keeps {kept:.1%}."]
        if masks["first"].size >= 10_000:
            if abs(kept - (1 - p)) > 0.01:
                lines = [f"Your mask keeps {kept:.1%} of the units; with p_drop = {p} about "
                         f"{1 - p:.0%} must be kept."]
                if abs(kept - p) <= 0.01:
                    lines.append("You kept each unit with probability p_drop. Hint: p_drop is the "
                                 "probability of DROPPING a unit; True means keep: "
                                 "rng.random(shape) >= p_drop.")
                return lines
            if np.array_equal(masks["first"], masks["second"]):
                return ["Two calls with the same rng gave the same mask.",
                        "Hint: draw from the rng you are given each time (do not re-seed it)."]
        if not np.array_equal(masks["first"], masks["same_seed"]):
            return ["A fresh rng with the same seed gave a different mask, so your mask does not come "
                    "from the rng you were given.",
                    "Hint: use rng.random(shape), not np.random.* or a new default_rng()."]
        return None


DROPOUT_MASK = DropoutMaskPart("dropout_mask", "dropout_mask(shape, p_drop, rng)", "09")


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
    hint="a_out = a ⊙ mask / (1 − p_drop).",
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
    hint="∂C/∂a_prev = ∂C/∂a ⊙ mask / (1 − p_drop): the same mask and scaling as the forward pass.",
)


def _early_stopping(losses, patience, strict=True, late=0):
    best, best_epoch, waited = np.inf, 0, 0
    for epoch, loss in enumerate(losses):
        if (loss < best) if strict else (loss <= best):
            best, best_epoch, waited = loss, epoch, 0
        else:
            waited += 1
            if waited >= patience + late:
                break
    return best_epoch


def _early_cases(rng):
    curve = 1.0 / np.arange(1, 13) + 0.02 * np.arange(12) + rng.uniform(0, 0.01, 12)
    curve[-1] = 0.0  # a late dip that early stopping never sees
    return [
        Case("a dip after patience ran out", (np.array([1.0, 0.8, 0.7, 0.75, 0.72, 0.9, 0.6]), 3)),
        Case("a loss that keeps falling", (np.array([0.9, 0.7, 0.6, 0.55, 0.52, 0.51]), 2)),
        Case("equal losses are no improvement", (np.array([0.5, 0.4, 0.4, 0.4, 0.3]), 2)),
        Case("a noisy U-shaped curve", (curve, 3)),
        Case("patience 1", (np.array([0.6, 0.5, 0.55, 0.4, 0.3]), 1)),
    ]


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
    ],
    hint="walk through the epochs; remember the best loss and its epoch; count the epochs since the "
         "last strict improvement; stop when that count reaches patience; return the best epoch (0-based).",
)

PARTS = [DROPOUT_MASK, DROPOUT_FORWARD, DROPOUT_BACKWARD, EARLY_STOPPING]


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
