"""What a failed check says: which output is wrong, by how much against which tolerance, the
dtype, a diagnosis only when it explains every case, returned-versus-raised, and every case
listed with its label (public, or hidden in grading)."""

from __future__ import annotations

import os
import signal

import numpy as np
import pytest

import nnlab as nl
from nnlab.checks import PARTS, run_check
from nnlab.checks._core import call_learner, judge


def _momentum_v_wrong(w, grad, v, lr, mu):
    v_new = mu * v - lr * grad
    return w + v_new, mu * v + lr * grad  # w_new right, v_new wrong


def test_the_wrong_output_is_named():
    result = run_check(PARTS["momentum_step"], _momentum_v_wrong)
    assert "w_new is right; v_new is wrong:" in result.message
    assert "w_new is wrong" not in result.message


def test_relative_error_and_tolerance_are_printed():
    result = run_check(PARTS["softmax"], lambda z: nl.activations.softmax(z) * (1 + 3e-6))
    assert not result.passed
    assert "relative error 3e-06, allowed 1e-06" in result.message, result.message


def test_a_low_precision_result_says_its_dtype():
    result = run_check(PARTS["sigmoid"], lambda z: nl.activations.sigmoid(z).astype(np.float16))
    assert not result.passed and "Your result is float16" in result.message, result.message


def test_diagnosis_needs_every_case():
    def early_leq(losses, patience):  # an equal loss counts as an improvement
        best, best_epoch, waited = np.inf, 0, 0
        for epoch, loss in enumerate(losses):
            if loss <= best:
                best, best_epoch, waited = loss, epoch, 0
            else:
                waited += 1
                if waited == patience:
                    break
        return best_epoch

    text = run_check(PARTS["early_stopping"], early_leq).message
    assert "an equal loss counts as an improvement" in text and "np.argmin" not in text

    def count_without_last_layer(sizes):
        return sum(a * b + b for a, b in zip(sizes[:-2], sizes[1:-1]))

    text = run_check(PARTS["count_parameters"], count_without_last_layer).message
    assert "Your result equals" not in text and "number of weights only" not in text


def test_returned_is_told_apart_from_raised():
    text = run_check(PARTS["minibatches"], lambda X, y, b, rng: None).message
    assert "Your function returned None, which is not a list or generator of batches" in text
    assert "raised" not in text


@pytest.mark.parametrize("error", [GeneratorExit, KeyboardInterrupt, SystemExit])
def test_base_exceptions_of_the_learner_are_reported(error):
    def raises(z):
        raise error()

    result = run_check(PARTS["relu"], raises)
    assert not result.passed and result.status == "error"
    assert "in raises" in result.message and "nnlab" not in result.message.split("\n")[0]


@pytest.mark.skipif(not hasattr(signal, "SIGINT") or os.name != "posix", reason="POSIX signals")
def test_a_real_ctrl_c_still_stops_the_check():
    def interrupted(z):
        os.kill(os.getpid(), signal.SIGINT)
        return z

    with pytest.raises(KeyboardInterrupt):
        run_check(PARTS["relu"], interrupted)


def test_every_case_is_reported_with_its_label():
    def relu_wrong_on_zeros(z):
        return np.maximum(z, 0) + (z == 0)

    text = run_check(PARTS["relu"], relu_wrong_on_zeros).message
    assert text.startswith("✗ relu: wrong on test inputs 1, 3, 4 of 5:")  # 4: large |z| holds a 0
    assert "  ✓ 2 · public · a vector of 7" in text and "  ✗ 3 · public · zeros" in text
    assert "hidden in grading" not in text  # the notebook runs the public cases only

    part = PARTS["early_stopping"]
    cases = part.cases(np.random.default_rng(7))
    graded = judge(part, cases, [call_learner(part, lambda l, p: 0, c.args, c.extra, None) for c in cases])
    assert "· hidden in grading ·" in graded.message and "· public ·" in graded.message


def test_a_pass_is_one_line(capsys):
    result = run_check(PARTS["relu"], lambda z: np.maximum(z, 0))
    assert result.passed and capsys.readouterr().out == "✓ relu: correct on 5 test inputs\n"


def test_a_float32_number_is_named_as_such(capsys):
    import nnlab as nl

    def squared_error(a, y):  # right formula, computed in half precision
        return np.float16(0.5 * np.sum((a - y) ** 2) / len(a))

    assert not nl.checks.check_squared_error(squared_error)
    assert "Your result is float16" in capsys.readouterr().out


@pytest.mark.parametrize("name,fn", [
    ("sigmoid", lambda z: nl.activations.sigmoid(z).astype(np.float32)),
    ("relu", lambda z: np.maximum(z, 0).astype(np.float32)),
    ("squared_error", lambda a, y: np.float32(0.5 * np.sum((a - y) ** 2) / len(a))),
    ("softmax", lambda z: nl.activations.softmax(z).astype(np.float32)),
])
def test_float32_is_rejected_even_when_its_digits_agree(name, fn):
    """float64 is the course's dtype: a float32 result fails on every case and seed, with the
    reason, whether or not its 7 digits happen to meet the tolerance."""
    from check_tools import verdict

    for seed in range(20):
        result = verdict(name, fn, seed)
        assert not result.passed and "is float32, about 7 significant digits" in result.message


def test_booleans_where_floats_are_asked_are_named():
    result = run_check(PARTS["relu_prime"], lambda z: z > 0)
    assert not result.passed and "holds booleans" in result.message
    assert run_check(PARTS["relu_prime"], lambda z: (z > 0) * 1.0).passed


def _momentum_both_wrong(w, grad, v, lr, mu):
    v_new = mu * v - lr * grad
    return w + 2 * v_new, 2 * v_new


def test_one_line_summaries_of_several_outputs_end_in_a_statement():
    """The later failing cases get one line each: it names the wrong output and says what is
    wrong with it, never a header with nothing after it ("w_new:")."""
    result = run_check(PARTS["momentum_step"], _momentum_both_wrong)
    later = [line for line in result.message.splitlines() if line.startswith("Test input 2 (")]
    assert later and "w_new and v_new are wrong: w_new: Largest error" in later[0], result.message
    assert not later[0].rstrip().endswith(":")


def test_outputs_in_the_wrong_order_are_called_so():
    def swapped(w, grad, v, lr, mu):
        v_new = mu * v - lr * grad
        return v_new, w + v_new

    result = run_check(PARTS["momentum_step"], swapped)
    assert not result.passed and "the right values in the wrong order: (v_new, w_new)" in result.message


def test_a_changed_list_is_told_as_a_list():
    def feedforward_pop(x, layers):
        a = x
        while layers:
            W, b = layers.pop(0)
            a = nl.activations.sigmoid(a @ W.T + b)
        return a

    result = run_check(PARTS["feedforward"], feedforward_pop)
    assert not result.passed and "the caller's list changed" in result.message
    assert "x.copy()" not in result.message
