"""Chapter 07's claims, asserted on the chapter's own variables (see chapters/AUTHORING.md)."""

import numpy as np
import pytest

from chapter_code import run_chapter

pytestmark = pytest.mark.notebook


@pytest.fixture(scope="module")
def ns():
    return run_chapter("07")


def test_chain_rule_matches_central_differences(ns):
    assert ns["chain_rel_error"] < 1e-8
    assert abs(ns["chain_dC_dw"] - ns["numeric_dC_dw"]) < 1e-9
    # the chain of two neurons: δ reused, all four gradients right
    assert ns["chain2_rel_error"] < 1e-8
    np.testing.assert_allclose(ns["chain2_backprop"], ns["chain2_numeric"], rtol=1e-6, atol=1e-10)


def test_hand_forward_gives_nnlab_cost(ns):
    assert ns["C_hand"] == pytest.approx(ns["C_nnlab"], rel=1e-12)


def test_last_layer_gradient_formula(ns):
    assert ns["dC_dW_last"].shape == ns["W"][ns["L"]].shape
    assert ns["last_layer_rel_error"] < 1e-8


def test_hand_backprop_agrees_with_numeric_gradients(ns):
    errors = ns["hand_rel_errors"]
    assert set(errors) == {"W^1", "b^1", "W^2", "b^2", "W^3", "b^3"}
    assert ns["max_hand_rel_error"] < 1e-8          # ~1e-10 expected: the accuracy of central differences
    assert all(err < 1e-8 for err in errors.values())


def test_hand_backprop_equals_nnlab_backward(ns):
    assert ns["max_nnlab_rel_error"] < 1e-14
    for l in range(1, ns["L"] + 1):
        np.testing.assert_allclose(ns["dC_dW"][l], ns["nnlab_dC_dW"][l], rtol=1e-12, atol=1e-16)
        np.testing.assert_allclose(ns["dC_db"][l], ns["nnlab_dC_db"][l], rtol=1e-12, atol=1e-16)


def test_bugs_are_caught_and_located(ns):
    bugs = ns["bug_rel_errors"]
    for version in ("forgot σ′", "transposed W"):
        errors = bugs[version]
        # the layers BP2 reaches are wrong in the first digit ...
        assert min(errors[n] for n in ("W^1", "b^1", "W^2", "b^2")) > 0.1, (version, errors)
        # ... the last layer (BP1 and BP4 only) is still right
        assert max(errors["W^3"], errors["b^3"]) < 1e-8, (version, errors)
        # a billion-fold gap between correct and buggy
        assert min(errors[n] for n in ("W^1", "W^2")) > 1e6 * ns["max_hand_rel_error"]


def test_check_model_report(ns):
    report, buggy = ns["report"], ns["buggy_report"]
    assert report.ok and report.worst < 1e-8
    assert len(report.rows) == 7                       # 3 W, 3 b, the input
    assert not buggy.ok
    wrong = {row[0] for row in buggy.rows if row[2] > buggy.tol}
    assert wrong == {"[0] Dense(3, 4).W", "[0] Dense(3, 4).b", "input x"}
    assert all(row[2] < 1e-8 for row in buggy.rows if row[0] not in wrong)
    assert "WRONG" in str(buggy) and "WRONG" not in str(report)


def test_counted_work_backprop_vs_numeric(ns):
    P = ns["P"]
    assert P == 64 * 32 + 32 + 32 * 10 + 10
    work = ns["work"]
    assert ns["bp_forward_passes"] == 1 and ns["bp_backward_passes"] == 1
    assert ns["num_forward_passes"] == 2 * P
    assert work["numeric"]["backward passes"] == 0
    assert ns["backward_over_forward"] == pytest.approx(2.0)
    assert work["backprop"]["in forward passes"] == pytest.approx(3.0)
    assert ns["work_ratio"] == pytest.approx(2 * P / 3)
    assert ns["work_ratio"] > 1000


def test_numeric_cost_grows_with_parameters_backprop_does_not(ns):
    n_params = np.array(ns["n_params"])
    numeric = np.array(ns["cost_scaling"]["numeric"])
    backprop = np.array(ns["cost_scaling"]["backprop"])
    np.testing.assert_allclose(numeric, 2 * n_params)
    np.testing.assert_allclose(backprop, 3.0)
    assert n_params[-1] == 9610 and numeric[-1] / backprop[-1] > 6000


def test_chaining_through_the_weights_is_wrong_through_the_values_is_right(ns):
    assert ns["dw2_dw1"] == 0.0 and ns["through_the_weights"] == 0.0
    assert abs(ns["chain2_numeric"][0]) > 1e-3                           # yet w1 does matter
    assert ns["nl"].gradcheck.rel_error(ns["through_the_values"], ns["chain2_numeric"][0]) < 1e-8
    assert ns["links"]["∂z2/∂a1"] == ns["theta"][2]                      # w2 enters as a slope
