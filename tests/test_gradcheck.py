"""nnlab.gradcheck: numeric_grad and rel_error on known answers; check_layer/check_model must reject
known-wrong backward passes and name the wrong rows.

Chapter 07.
"""

import math

import numpy as np
import pytest

import nnlab as nl
from nnlab.gradcheck import GradReport, check_layer, check_model, numeric_grad, rel_error
from helpers import away_from_kinks


@pytest.fixture
def rng():
    return np.random.default_rng(77)


# --------------------------------------------------------------------------------------------
# numeric_grad and rel_error on functions whose gradient we know
# --------------------------------------------------------------------------------------------

def test_numeric_grad_of_a_cubic(rng):
    x = rng.standard_normal((3, 4))
    x0 = x.copy()
    calls = []

    def f():
        calls.append(1)
        return float(np.sum(x ** 3))

    g = numeric_grad(f, x)
    assert g.shape == x.shape and g.dtype == np.float64
    # central differences are exact up to h²·f‴/6 = h² for x³
    np.testing.assert_allclose(g, 3 * x0 ** 2, rtol=0, atol=1e-9)
    np.testing.assert_array_equal(x, x0)  # every entry put back exactly
    assert len(calls) == 2 * x.size


def test_numeric_grad_of_a_quadratic_form(rng):
    A = rng.standard_normal((5, 5))
    x = rng.standard_normal(5)
    g = numeric_grad(lambda: float(x @ A @ x), x, h=1e-4)
    np.testing.assert_allclose(g, (A + A.T) @ x, rtol=1e-9, atol=1e-10)


def test_rel_error_known_values():
    assert rel_error([3.0, 4.0], [3.0, 4.0]) == 0.0
    assert rel_error([1.0, -2.0], [-1.0, 2.0]) == 1.0
    assert rel_error([1.0, 0.0], [0.0, 1.0]) == pytest.approx(math.sqrt(2) / 2, rel=1e-15)
    assert rel_error(np.zeros(3), np.zeros(3)) == 0.0
    # the floor: two tiny gradients 1e−10 apart are not "100 % different"
    assert rel_error([1e-10], [2e-10]) == pytest.approx(1e-10 / 1e-8, rel=1e-12)
    assert rel_error([1e-10], [2e-10], floor=0.0) == pytest.approx(1 / 3, rel=1e-12)
    # ‖a − b‖ / (‖a‖ + ‖b‖) = 0.1 / 2.1
    assert rel_error([1.0], [1.1]) == pytest.approx(0.1 / 2.1, rel=1e-12)


# --------------------------------------------------------------------------------------------
# GradReport
# --------------------------------------------------------------------------------------------

def test_grad_report_verdicts_and_table():
    rep = GradReport("Toy", 1e-7, [("Toy.W", (2, 3), 3e-11, 1e-12), ("Toy.b", (3,), 0.5, 0.25),
                                   ("input a_prev", (4, 2), 2e-9, 1e-10)])
    assert not rep.ok and not bool(rep)
    assert rep.worst == 0.5
    text = str(rep)
    lines = text.splitlines()
    assert lines[0] == "gradient check of Toy: relative error vs central differences (pass < 1e-7)"
    assert lines[1].split() == ["gradient", "shape", "rel.", "error", "max", "|diff|", "verdict"]
    # a passing row states its bound, not its rounding digits; a failing row shows its errors
    assert lines[2].split() == ["Toy.W", "(2,", "3)", "<", "1e-7", "ok"]
    assert lines[3].split() == ["Toy.b", "(3,)", "5.0e-01", "2.5e-01", "WRONG"]
    assert lines[4].split() == ["input", "a_prev", "(4,", "2)", "<", "1e-7", "ok"]
    assert lines[5].startswith("some gradients disagree")
    with pytest.raises(RuntimeError, match=r"(?s)Toy\.b .*WRONG"):
        rep.raise_if_failed()
    good = GradReport("Toy", 1e-7, [("Toy.W", (2, 3), 3e-11, 1e-12)])
    assert good.ok and good.raise_if_failed() is good
    assert str(good).splitlines()[-1] == "all gradients agree"
    assert GradReport("empty", 1e-7).worst == 0.0


def test_report_text_is_the_same_for_any_rounding_of_a_passing_row():
    # two machines: the same correct gradients, other last bits
    one = GradReport("Toy", 1e-6, [("Toy.W", (2, 3), 4.6e-10, 2.7e-12), ("input x", (5, 3), 4.3e-10, 2.2e-12)])
    two = GradReport("Toy", 1e-6, [("Toy.W", (2, 3), 5.6e-10, 3.7e-12), ("input x", (5, 3), 3.9e-10, 1.9e-12)])
    assert str(one) == str(two)


def test_tolerance_is_respected(rng):
    layer = nl.Dense(3, 2, rng=rng)
    x = rng.standard_normal((4, 3))
    assert check_layer(layer, x, rng=rng).ok
    assert not check_layer(layer, x, rng=rng, tol=1e-30).ok


def test_correct_dense_is_far_inside_the_tolerance(rng):
    # CS231n's expectation for an affine layer: ~1e−10
    layer = nl.Dense(6, 5, rng=rng)
    layer.b.data[...] = rng.standard_normal(5)
    report = check_layer(layer, rng.standard_normal((8, 6)), rng=rng)
    assert report.worst < 1e-9, str(report)


# --------------------------------------------------------------------------------------------
# deliberately broken layers: the checker must say which gradient is wrong
# --------------------------------------------------------------------------------------------

class MissingTransposeDense(nl.Dense):
    """∂C/∂a_prev computed as δ Wᵀ instead of δ W (only runs because W is square)."""

    def _backward(self, delta, input_grad=True):
        self.W.accumulate_matmul(delta.T, self._a_prev)
        self.b.accumulate_sum(delta)
        return delta @ self.W.data.T


class MeanInsteadOfSumDense(nl.Dense):
    """∂C/∂W averaged over the batch although the loss already did: off by a factor N."""

    def _backward(self, delta, input_grad=True):
        self.W.accumulate(delta.T @ self._a_prev / delta.shape[0])
        self.b.accumulate_sum(delta)
        return delta @ self.W.data


class ForgottenBiasDense(nl.Dense):
    """b.grad never accumulated."""

    def _backward(self, delta, input_grad=True):
        self.W.accumulate_matmul(delta.T, self._a_prev)
        self.b.accumulate(np.zeros_like(self.b.data))
        return delta @ self.W.data


class SigmoidMissingOneMinus(nl.Sigmoid):
    """σ′ taken as σ instead of σ(1 − σ)."""

    def _backward(self, dC_da, input_grad=True):
        return dC_da * self._a


class ELUWrongAlpha(nl.ELU):
    """Backward uses α = 1 whatever the forward used: a subtle bug only for z ≤ 0."""

    def _backward(self, dC_da, input_grad=True):
        return dC_da * np.where(self._positive, 1.0, self._a / self.alpha + 1.0)


class DropoutNoRescale(nl.Dropout):
    """Backward applies the mask but forgets the 1/(1 − p) scaling."""

    def _backward(self, dC_da, input_grad=True):
        return dC_da * self.mask


def verdicts(report):
    """{row name: verdict word} read from the printed table, not from the report's fields."""
    out = {}
    for line in str(report).splitlines()[2:-1]:
        for name, *_ in report.rows:
            if line.strip().startswith(name + " "):
                out[name] = line.split()[-1]
    assert len(out) == len(report.rows), str(report)
    return out


@pytest.mark.parametrize("cls,wrong", [
    (MissingTransposeDense, {"input a_prev"}),
    (MeanInsteadOfSumDense, {"Dense(4, 4).W"}),
    (ForgottenBiasDense, {"Dense(4, 4).b"}),
])
def test_check_layer_names_the_wrong_row_of_a_broken_dense(cls, wrong, rng):
    layer = cls(4, 4, rng=rng)
    layer.b.data[...] = rng.standard_normal(4)
    report = check_layer(layer, rng.standard_normal((5, 4)), rng=rng)
    assert not report.ok and not report
    v = verdicts(report)
    assert {name for name, word in v.items() if word == "WRONG"} == wrong
    assert {name for name, word in v.items() if word == "ok"} == set(v) - wrong
    assert str(report).splitlines()[-1].startswith("some gradients disagree")
    with pytest.raises(RuntimeError, match="WRONG"):
        report.raise_if_failed()


@pytest.mark.parametrize("layer_factory", [SigmoidMissingOneMinus, lambda: ELUWrongAlpha(0.5),
                                           lambda: DropoutNoRescale(0.5, rng=np.random.default_rng(0))],
                         ids=["sigmoid", "elu", "dropout"])
def test_check_layer_rejects_broken_activation_and_dropout(layer_factory, rng):
    x = away_from_kinks(rng, (6, 5))
    x[:, 0] = -np.abs(x[:, 0])  # make sure some z ≤ 0 (ELU's bug lives there)
    report = check_layer(layer_factory(), x, rng=rng)
    assert not report.ok
    assert verdicts(report) == {"input a_prev": "WRONG"}
    assert report.worst > 1e-3


def test_check_model_blames_the_rows_upstream_of_a_wrong_input_gradient(rng):
    # layer [2]'s ∂C/∂a_prev is wrong: its own W and b are right, everything before it is wrong
    model = nl.Sequential(nl.Dense(3, 4, rng=rng), nl.Tanh(), MissingTransposeDense(4, 4, rng=rng),
                          nl.Dense(4, 2, rng=rng))
    x = rng.standard_normal((5, 3))
    report = check_model(model, nl.SoftmaxCrossEntropy(), x, rng.integers(0, 2, size=5))
    v = verdicts(report)
    assert v == {"[0] Dense(3, 4).W": "WRONG", "[0] Dense(3, 4).b": "WRONG",
                 "[2] Dense(4, 4).W": "ok", "[2] Dense(4, 4).b": "ok",
                 "[3] Dense(4, 2).W": "ok", "[3] Dense(4, 2).b": "ok", "input x": "WRONG"}


def test_check_model_names_a_wrong_weight_gradient_inside_a_residual_block(rng):
    model = nl.Sequential(nl.Dense(3, 4, rng=rng), nl.Residual(MeanInsteadOfSumDense(4, 4, rng=rng), nl.Tanh()),
                          nl.Dense(4, 2, rng=rng))
    report = check_model(model, nl.SquaredError(), rng.standard_normal((6, 3)), rng.standard_normal((6, 2)))
    wrong = {k for k, w in verdicts(report).items() if w == "WRONG"}
    assert wrong == {"[1] Dense(4, 4).W"}


def test_check_model_catches_a_subtle_bug(rng):
    model = nl.Sequential(nl.Dense(3, 5, rng=rng), ELUWrongAlpha(0.8), nl.Dense(5, 2, rng=rng))
    x = away_from_kinks(rng, (6, 3))
    report = check_model(model, nl.SoftmaxCrossEntropy(), x, rng.integers(0, 2, size=6))
    assert not report.ok
    assert verdicts(report)["[2] Dense(5, 2).W"] == "ok"
    assert verdicts(report)["[0] Dense(3, 5).W"] == "WRONG"


@pytest.mark.parametrize("broken", [MissingTransposeDense, MeanInsteadOfSumDense, ForgottenBiasDense])
def test_direction_method_also_rejects_broken_layers(broken, rng):
    model = nl.Sequential(nl.Dense(3, 4, rng=rng), nl.Sigmoid(), broken(4, 4, rng=rng))
    model[2].b.data[...] = rng.standard_normal(4)
    x = rng.standard_normal((5, 3))
    y = rng.integers(0, 4, size=5)
    report = check_model(model, nl.SoftmaxCrossEntropy(), x, y, rng=rng, method="direction")
    assert not report.ok
    assert verdicts(report) == {"∇C · v (random direction)": "WRONG"}
    # the same model with the correct layer passes
    good = nl.Sequential(nl.Dense(3, 4, rng=rng), nl.Sigmoid(), nl.Dense(4, 4, rng=rng))
    assert check_model(good, nl.SoftmaxCrossEntropy(), x, y, rng=rng, method="direction").ok


def test_report_title_names_the_model_and_loss(rng):
    model = nl.Sequential(nl.Dense(2, 2, rng=rng))
    report = check_model(model, nl.SquaredError(), rng.standard_normal((3, 2)), rng.standard_normal((3, 2)))
    assert report.title == "Sequential with SquaredError"
    assert report.tol == 1e-6
    assert check_layer(nl.Tanh(), rng.standard_normal((2, 2)), rng=rng).title == "Tanh()"


def test_check_model_holds_the_dropout_mask_then_lets_the_rng_move_on(rng):
    # during the check every forward pass reuses the mask of the rng's current state; afterwards the
    # layer is not stuck on that mask
    drop = nl.Dropout(0.5, rng=np.random.default_rng(9))
    model = nl.Sequential(nl.Dense(3, 6, rng=rng), drop, nl.Dense(6, 2, rng=rng))
    x = rng.standard_normal((4, 3))
    report = check_model(model, nl.SquaredError(), x, rng.standard_normal((4, 2)))
    assert report.ok, str(report)
    first_mask = np.random.default_rng(9).random((4, 6)) >= 0.5
    np.testing.assert_array_equal(drop.mask, first_mask)
    model.forward(x)
    assert not np.array_equal(drop.mask, first_mask)
