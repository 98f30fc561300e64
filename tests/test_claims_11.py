"""Chapter 11's claims, asserted on the chapter's own variables (run_chapter executes its code cells)."""

import nbformat
import numpy as np
import pytest

from chapter_code import chapter_path, run_chapter

pytestmark = pytest.mark.notebook


@pytest.fixture(scope="module")
def ns():
    return run_chapter("11")


def markdown():
    nb = nbformat.read(chapter_path("11"), as_version=4)
    return "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")


# --- the RNN, backpropagation through time, the product of Jacobians -------------------------------

def test_inline_rnn_forward_and_backward_match_nnlab(ns):
    assert np.abs(ns["h_ours"][:, 1:] - ns["h_nl"]).max() <= 1e-12
    assert ns["bptt_max_error"] <= 1e-12
    assert ns["h_nl"].shape == (2, 7, 5)


def test_rnn_gradient_vanishes_through_time(ns):
    norms = ns["jacobian_norms"]
    assert len(norms) == 60
    assert norms[-1] < 1e-10 * norms[0]                         # "more than ten orders of magnitude"
    assert norms[29] < 1e-4 * norms[0]
    assert np.all(np.diff(np.log(norms[5:])) < 0.5)             # it falls, with no sustained growth


def test_the_bound_allows_growth_yet_the_product_vanishes(ns):
    # "the bound would have allowed growth by 10^16": ||W_h||_2 > 1, so tanh' <= 1 alone decides nothing
    assert ns["W_h_norm"] > 1.5
    assert ns["W_h_norm"] ** 60 > 1e16
    assert np.all(ns["jacobian_norms"] <= ns["W_h_norm"] ** np.arange(1, 61) * (1 + 1e-9))
    assert 0.5 < ns["tanh_slopes"].mean() < 0.7                 # "tanh'(z_t) ~ 0.6"
    per_step = (ns["jacobian_norms"][-1] / ns["jacobian_norms"][0]) ** (1 / 59)
    assert 0.55 < per_step < 0.75                               # "shrinks by about a third at every step"


def test_larger_recurrent_weights_explode(ns):
    scaled = ns["scaled"]
    assert scaled[1][0][-1] < 1e-10
    assert scaled[2][0][-1] > 1                                 # grows although tanh' falls
    assert scaled[4][0][-1] > 1e9                               # "about 10^10"
    assert scaled[4][1].mean() < scaled[2][1].mean() < scaled[1][1].mean()
    assert scaled[4][1].mean() < 0.25                           # "the mean tanh' was 0.2"


# --- the LSTM ---------------------------------------------------------------------------------------

def test_inline_lstm_step_matches_nnlab(ns):
    assert ns["lstm_step_error"] <= 1e-12
    assert ns["lstm"].W_x.data.shape == (20, 3)


def test_forget_bias_arithmetic(ns):
    sig = ns["sigmoid"]
    assert abs(sig(1.0) - 0.731) < 5e-4 and abs(sig(4.0) - 0.982) < 5e-4
    assert 4e-6 < sig(1.0) ** 39 < 6e-6 and 0.45 < sig(4.0) ** 39 < 0.55
    # the layer's default really is b_f = 1 (the text says so)
    fresh = ns["nl"].LSTM(2, 3, rng=np.random.default_rng(0))
    assert np.all(fresh.b.data[3:6] == 1.0) and np.all(fresh.b.data[:3] == 0) and np.all(fresh.b.data[6:] == 0)


def test_memory_task_is_decided_by_the_first_step(ns):
    x, y = ns["memory_task"](200, 6, np.random.default_rng(0))
    assert x.shape == (200, 6, 4) and set(np.unique(y)) == {0, 1}
    assert np.array_equal(x[:, 0], np.repeat((2.0 * y - 1.0)[:, None], 4, axis=1))   # x_1 = the class, +-1
    noise = x[:, 1:]                                                                # the rest is noise:
    assert abs(noise.mean()) < 0.1 and abs(noise.std() - 1) < 0.1                   # N(0, 1) ...
    assert abs(np.corrcoef(noise.mean(axis=(1, 2)), y)[0, 1]) < 0.2                 # ... unrelated to the class
    assert set(ns["y_demo"]) == {0, 1}                          # the demo shows both classes


# --- the measurement: accuracy against T -------------------------------------------------------------

def test_rnn_falls_to_chance_lstm_keeps_it(ns):
    acc, Ts = ns["accuracy"], ns["Ts"]
    assert tuple(Ts) == (5, 10, 20, 40) and len(ns["seeds"]) == 3
    for T in Ts:
        assert np.all(acc["LSTM"][T] >= 0.9), T                  # "at least 0.9 at every length"
    for T in (5, 10):
        assert np.all(acc["RNN"][T] >= 0.9), T                   # the RNN learns the short sequences
    assert np.all(acc["RNN"][40] < 0.7)                         # "falls to chance, 0.5, at T = 40"
    assert abs(acc["RNN"][40].mean() - 0.5) < 0.06
    assert acc["LSTM"][40].min() - acc["RNN"][40].max() > 0.25  # the gap
    assert np.all(acc["RNN"][20] >= 0.9)                        # the fall comes between T = 20 and 40


# --- the measurement: the gradient from x_1 to h_T ---------------------------------------------------

def test_gradient_helper_is_the_jacobian(ns):
    # ||dh_T/dx_1|| from the layer's backward equals the Jacobian by central differences
    nl = ns["nl"]
    layer = nl.LSTM(3, 4, rng=np.random.default_rng(5))
    x = np.random.default_rng(6).standard_normal((2, 6, 3))
    eps, J = 1e-6, np.zeros((2, 4, 3))
    for k in range(3):
        xp, xm = x.copy(), x.copy()
        xp[:, 0, k] += eps
        xm[:, 0, k] -= eps
        J[:, :, k] = (layer.forward(xp)[:, -1] - layer.forward(xm)[:, -1]) / (2 * eps)
    expected = np.linalg.norm(J, ord=2, axis=(1, 2))
    np.testing.assert_allclose(ns["grad_h_T_wrt_x_1"](layer, x), expected, rtol=1e-6)


def test_gradient_norms_at_initialisation(ns):
    g, T_grid = ns["grad_at_init"], ns["T_grid"]
    rnn, lstm1, lstm4 = g["RNN"], g["LSTM, b_f = 1"], g["LSTM, b_f = 4"]
    assert T_grid[0] == 1 and T_grid[-1] == 40
    assert rnn[-1] < 1e-6 * rnn[0]                              # "about seven orders of magnitude"
    assert rnn[-1] > 1e-9 * rnn[0]
    assert np.all(np.diff(np.log(rnn)) < 0)                     # falls at every T
    assert 1e-4 * lstm1[0] < lstm1[-1] < 1e-2 * lstm1[0]        # "about three orders of magnitude"
    assert lstm4[-1] >= lstm4[0]                                # "does not fall at all"
    assert rnn[-1] < 1e-7 * rnn[0]                              # "less than 10^-7 of what it contributes at T = 1"
    assert lstm4[-1] > 1e6 * rnn[-1]
    assert np.linalg.norm(ns["W_h_fresh"], 2) > 1                # "||W_h||_2 is above 1"
    assert np.abs(np.linalg.eigvals(ns["W_h_fresh"])).max() < 0.8   # "eigenvalues at most about 0.7"


def test_gradient_norms_after_training(ns):
    g = ns["grad_trained"]
    assert g["RNN"] <= 2e-4                                     # printed 9e-05
    assert 2e-3 <= g["LSTM"] <= 1e-2                            # printed 5e-03
    assert 20 < g["LSTM"] / g["RNN"] < 200                      # "some 50 times the trained RNN's"


# --- the forget gate ---------------------------------------------------------------------------------

def test_forget_gates_near_one_where_the_lstm_remembers(ns):
    f = ns["f"]
    assert f.shape == (1000, 40, 16) and np.all((f > 0) & (f < 1))
    assert abs(ns["mean_f"].mean() - 0.98) < 0.01               # "about 0.98 on average"
    assert ns["mean_f"].min() >= 0.97                           # "above 0.97 in every unit"
    assert 0.35 <= ns["kept"].min() and ns["kept"].max() <= 0.65   # "between about 0.4 and 0.6"
    assert np.allclose(ns["kept"], np.prod(f[:, 1:], axis=1).mean(axis=0))
    assert ns["follows_class"].max() >= 0.9                     # "follow the class closely"
    assert ns["rnn_follows_class"].max() <= 0.1                 # "do not follow it at all"


def test_rnn_and_lstm_are_described():
    text = markdown()
    for phrase in ("h_t = \\tanh(z_t)", "c_t = f_t \\odot c_{t-1} + i_t \\odot g_t", "h_t = o_t \\odot \\tanh(c_t)",
                   "Hochreiter", "Gers, Schmidhuber and Cummins", "operatorname{diag}(f_t)",
                   "../exercises/11_recurrent_networks_and_lstms.ipynb"):
        assert phrase in text, phrase
