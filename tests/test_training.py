"""The training loop: nl.fit, nl.evaluate, nl.predict, History, EarlyStopping, TrainingDiverged.

The central claim of chapter 08 is that `fit` is nothing but the loop of chapter 06 with progress and
bookkeeping; `test_fit_equals_the_hand_written_loop` checks it parameter for parameter, bit for bit.
"""

import math

import numpy as np
import pytest

import nnlab as nl
from nnlab import schedules


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------

def moons(seed=0, n=100):
    return nl.data.make_moons(n, rng=np.random.default_rng(seed), noise=0.1)


def mlp(seed=0, dropout=0.0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    layers = [nl.Dense(2, 16, rng=rng, dtype=dtype), nl.Tanh()]
    if dropout:
        layers.append(nl.Dropout(dropout, rng=np.random.default_rng(seed + 100)))
    layers += [nl.Dense(16, 16, rng=rng, dtype=dtype), nl.Tanh(), nl.Dense(16, 2, rng=rng, dtype=dtype)]
    return nl.Sequential(*layers)


def train(model, X, y, *, epochs=5, lr=0.05, seed=1, batch_size=16, **kwargs):
    kwargs.setdefault("progress", False)
    opt = nl.Adam(model.parameters(), lr=lr)
    return nl.fit(model, nl.SoftmaxCrossEntropy(), opt, X, y, epochs=epochs, batch_size=batch_size,
                  rng=np.random.default_rng(seed), **kwargs)


def snapshot(model):
    return [p.data.copy() for p in model.parameters()]


# ---------------------------------------------------------------------------------------------
# Learning, history, determinism
# ---------------------------------------------------------------------------------------------

def test_fit_reaches_100_percent_training_accuracy_on_a_separable_problem():
    X, y = moons()
    model = mlp()
    history = train(model, X, y, epochs=60)
    assert history.stopped is None
    assert history["accuracy"][-1] == 1.0
    assert nl.evaluate(model, nl.SoftmaxCrossEntropy(), X, y)["accuracy"] == 1.0
    assert (nl.predict(model, X).argmax(axis=1) == y).all()
    assert history["loss"][-1] < history["loss"][0] / 10


def test_history_keys_and_lengths():
    X, y = moons()
    h = train(mlp(), X, y, epochs=4)
    assert h.keys() == ["epoch", "loss", "accuracy", "lr", "time"]
    assert len(h) == 4
    assert h["epoch"] == [1, 2, 3, 4]
    for key in h.keys():
        assert len(h[key]) == 4
        assert h[key] is getattr(h, key)
    assert all(0.0 <= a <= 1.0 for a in h["accuracy"])
    assert all(t >= 0.0 for t in h["time"])
    assert h["lr"] == [0.05] * 4
    assert "val_loss" not in h and "loss" in h
    assert h.last() == {k: v[-1] for k, v in ((k, h[k]) for k in h.keys())}


def test_validation_keys_are_present_and_match_evaluate():
    X, y = moons(0)
    Xv, yv = moons(1, n=40)
    model = mlp()
    h = train(model, X, y, epochs=3, validation=(Xv, yv))
    assert h.keys() == ["epoch", "loss", "accuracy", "val_loss", "val_accuracy", "lr", "time"]
    assert len(h["val_loss"]) == len(h["val_accuracy"]) == 3
    final = nl.evaluate(model, nl.SoftmaxCrossEntropy(), Xv, yv)
    assert h["val_loss"][-1] == final["loss"]
    assert h["val_accuracy"][-1] == final["accuracy"]


def test_regression_history_has_no_accuracy():
    X, Y = nl.data.make_sine(32, rng=np.random.default_rng(0))
    rng = np.random.default_rng(0)
    model = nl.Sequential(nl.Dense(1, 4, rng=rng), nl.Tanh(), nl.Dense(4, 1, rng=rng))
    h = nl.fit(model, nl.SquaredError(), nl.SGD(model.parameters(), 0.1), X, Y, epochs=2, rng=rng,
               validation=(X, Y), progress=False)
    assert h.keys() == ["epoch", "loss", "val_loss", "lr", "time"]


def test_same_seeds_give_identical_history_and_weights():
    X, y = moons()
    Xv, yv = moons(1, n=30)
    runs = []
    for _ in range(2):
        model = mlp(seed=3, dropout=0.2)
        h = train(model, X, y, epochs=5, seed=4, validation=(Xv, yv))
        runs.append((h, snapshot(model)))
    (h1, w1), (h2, w2) = runs
    for key in h1.keys():
        if key != "time":
            assert h1[key] == h2[key], key          # exact equality, not approx
    for a, b in zip(w1, w2):
        np.testing.assert_array_equal(a, b)
    # and a different shuffling seed gives a different run (so the test above can fail)
    model = mlp(seed=3, dropout=0.2)
    h3 = train(model, X, y, epochs=5, seed=5, validation=(Xv, yv))
    assert h3["loss"] != h1["loss"]


def test_fit_does_not_modify_X_or_y():
    X, y = moons()
    Xv, yv = moons(1, n=20)
    arrays = [X, y, Xv, yv]
    copies = [a.copy() for a in arrays]
    for a in arrays:
        a.setflags(write=False)          # any write inside fit would raise
    train(mlp(), X, y, epochs=2, validation=(Xv, yv))
    for a, c in zip(arrays, copies):
        np.testing.assert_array_equal(a, c)
        assert a.dtype == c.dtype


@pytest.mark.parametrize("start_in_eval", [True, False])
def test_fit_trains_in_train_mode_and_restores_the_mode(start_in_eval):
    X, y = moons()
    Xv, yv = moons(1, n=20)
    model = mlp(dropout=0.3)
    dropout = model[2]
    if start_in_eval:
        model.eval()
    seen = []
    train(model, X, y, epochs=2, validation=(Xv, yv),
          callbacks=[lambda epoch, logs: seen.append((model.training, dropout.training))])
    assert seen == [(True, True), (True, True)]     # the validation pass did not leave it in eval
    assert model.training is (not start_in_eval)
    assert dropout.training is (not start_in_eval)


def test_fit_restores_the_mode_after_an_error_in_a_callback():
    X, y = moons()
    model = mlp(dropout=0.3).eval()

    def broken(epoch, logs):
        raise ZeroDivisionError("boom")

    with pytest.raises(ZeroDivisionError):
        train(model, X, y, epochs=2, callbacks=[broken])
    assert not model.training and not model[2].training


# ---------------------------------------------------------------------------------------------
# fit is the loop of chapter 06
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("epochs", [1, 2])
@pytest.mark.parametrize("batches", ["permutation", "minibatches"])
def test_fit_equals_the_hand_written_loop(epochs, batches):
    X, y = moons(n=50)
    batch_size = 16                                  # 16, 16, 16, 2: the last batch is smaller

    fitted = mlp(seed=3, dropout=0.25)
    opt_fit = nl.Adam(fitted.parameters(), lr=0.01)
    history = nl.fit(fitted, nl.SoftmaxCrossEntropy(), opt_fit, X, y, epochs=epochs,
                     batch_size=batch_size, rng=np.random.default_rng(11), progress=False)

    by_hand = mlp(seed=3, dropout=0.25)
    loss = nl.SoftmaxCrossEntropy()
    opt = nl.Adam(by_hand.parameters(), lr=0.01)
    rng = np.random.default_rng(11)
    epoch_losses = []
    for _ in range(epochs):
        if batches == "permutation":                 # what fit does: one permutation per epoch
            order = rng.permutation(len(X))
            pairs = [(X[order[i:i + batch_size]], y[order[i:i + batch_size]])
                     for i in range(0, len(X), batch_size)]
        else:                                        # the loop as the course writes it
            pairs = nl.data.minibatches(X, y, batch_size=batch_size, rng=rng)
        total_C = 0.0
        for xb, yb in pairs:
            z = by_hand.forward(xb)
            C = loss.forward(z, yb)
            by_hand.zero_grad()
            by_hand.backward(loss.backward())
            opt.step()
            total_C += C * len(xb)
        epoch_losses.append(total_C / len(X))

    assert opt_fit.t == opt.t == epochs * 4
    for p_fit, p_hand in zip(fitted.parameters(), by_hand.parameters()):
        np.testing.assert_array_equal(p_fit.data, p_hand.data, err_msg=p_fit.name)
    for m_fit, m_hand in zip(opt_fit.m + opt_fit.v, opt.m + opt.v):
        np.testing.assert_array_equal(m_fit, m_hand)
    assert history["loss"] == epoch_losses
    # and the parameters did move (so equality is not trivial)
    assert not np.array_equal(fitted[0].W.data, mlp(seed=3)[0].W.data)


def test_fit_without_shuffle_visits_the_examples_in_order():
    X, y = moons(n=40)
    a, b = mlp(seed=2), mlp(seed=2)
    opt_a = nl.SGD(a.parameters(), lr=0.1)
    nl.fit(a, nl.SoftmaxCrossEntropy(), opt_a, X, y, epochs=1, batch_size=10,
           rng=np.random.default_rng(0), shuffle=False, progress=False)
    loss, opt_b = nl.SoftmaxCrossEntropy(), nl.SGD(b.parameters(), lr=0.1)
    for i in range(0, 40, 10):
        loss.forward(b.forward(X[i:i + 10]), y[i:i + 10])
        b.zero_grad()
        b.backward(loss.backward())
        opt_b.step()
    for p, q in zip(a.parameters(), b.parameters()):
        np.testing.assert_array_equal(p.data, q.data)


# ---------------------------------------------------------------------------------------------
# evaluate and predict
# ---------------------------------------------------------------------------------------------

def test_evaluate_loss_is_the_mean_of_per_example_losses():
    X, y = moons(n=45)
    model = mlp(seed=1, dropout=0.5)                 # dropout must be off in evaluate
    W1, b1 = model[0].W.data, model[0].b.data
    W2, b2 = model[3].W.data, model[3].b.data
    W3, b3 = model[5].W.data, model[5].b.data
    # forward pass and cross-entropy computed here, one example at a time
    per_example, correct = [], 0
    for x, label in zip(X, y):
        z = np.tanh(np.tanh(x @ W1.T + b1) @ W2.T + b2) @ W3.T + b3
        log_sum = z.max() + math.log(sum(math.exp(v - z.max()) for v in z))
        per_example.append(log_sum - z[label])
        correct += int(z.argmax() == label)
    for batch_size in (4096, 7):                     # 45 = 6·7 + 3: a short last batch
        out = nl.evaluate(model, nl.SoftmaxCrossEntropy(), X, y, batch_size=batch_size)
        assert set(out) == {"loss", "accuracy"}
        assert out["loss"] == pytest.approx(np.mean(per_example), rel=1e-12)
        assert out["accuracy"] == correct / 45
    assert model.training and model[2].training      # evaluate restored train mode


def test_evaluate_squared_error_is_the_mean_of_half_squared_distances():
    rng = np.random.default_rng(0)
    model = nl.Sequential(nl.Dense(3, 2, rng=rng))
    X, Y = rng.standard_normal((10, 3)), rng.standard_normal((10, 2))
    A = X @ model[0].W.data.T + model[0].b.data
    expected = np.mean([0.5 * np.sum((a - t) ** 2) for a, t in zip(A, Y)])
    out = nl.evaluate(model, nl.SquaredError(), X, Y, batch_size=3)
    assert out == {"loss": pytest.approx(expected, rel=1e-12)}


def test_predict_is_eval_mode_output_in_batches():
    X, _ = moons(n=30)
    model = mlp(seed=1, dropout=0.5)
    out = nl.predict(model, X, batch_size=7)
    assert out.shape == (30, 2) and out.dtype == np.float64
    expected = model.eval().forward(X)
    model.train()
    np.testing.assert_allclose(out, expected, rtol=1e-14)
    assert model.training


def test_evaluate_and_predict_errors():
    X, y = moons(n=20)
    model = mlp()
    with pytest.raises(ValueError, match=r"nnlab.evaluate: X must be 2-D with shape \(N, 2\), got shape \(20, 3\)"):
        nl.evaluate(model, nl.SoftmaxCrossEntropy(), np.zeros((20, 3)), y)
    with pytest.raises(ValueError, match=r"nnlab.evaluate: labels in y must lie in \[0, 1\], got label 2"):
        nl.evaluate(model, nl.SoftmaxCrossEntropy(), X, np.full(20, 2))
    with pytest.raises(ValueError, match=r"nnlab.predict: X must be 2-D.*Hint: a single example is a batch of one"):
        nl.predict(model, X[0])
    with pytest.raises(TypeError, match="loss must be an nnlab loss.*Hint: create it with parentheses"):
        nl.evaluate(model, nl.SoftmaxCrossEntropy, X, y)


# ---------------------------------------------------------------------------------------------
# Divergence: NaN / inf cost
# ---------------------------------------------------------------------------------------------

def diverging_run(on_nan):
    """A linear model on the sine data with η = 1000: the weights grow geometrically until C = inf."""
    rng = np.random.default_rng(0)
    X, Y = nl.data.make_sine(64, rng=rng)
    model = nl.Sequential(nl.Dense(1, 1, rng=rng))
    opt = nl.SGD(model.parameters(), lr=1e3)
    # numpy's own overflow warnings are not what is tested here (pytest turns warnings into errors)
    with np.errstate(over="ignore", invalid="ignore"):
        h = nl.fit(model, nl.SquaredError(), opt, X, Y, epochs=200, batch_size=16, rng=rng,
                   on_nan=on_nan, progress=False)
    return h, opt


def parse_stop(message):
    import re
    m = re.search(r"the cost became (nan|inf) at epoch (\d+), batch (\d+) \(step (\d+)\)", message)
    assert m, message
    return int(m.group(2)), int(m.group(3)), int(m.group(4))


def test_on_nan_stop_returns_the_history_and_explains(capsys):
    h, opt = diverging_run("stop")
    assert h.stopped is not None
    epoch, batch, step = parse_stop(h.stopped)
    assert 1 < epoch < 200
    assert len(h) == epoch - 1                       # only the finished epochs are in the history
    assert step == opt.t == (epoch - 1) * 4 + (batch - 1)
    assert "with learning rate 1000" in h.stopped
    assert "try a learning rate about 10 times smaller, e.g. 100" in h.stopped
    assert all(math.isfinite(v) for v in h["loss"])
    out = capsys.readouterr()
    assert out.out == f"Training stopped: {h.stopped}\n"


def test_on_nan_raise_raises_training_diverged_with_the_history(capsys):
    stopped, _ = diverging_run("stop")
    capsys.readouterr()
    with pytest.raises(nl.TrainingDiverged, match=r"nnlab.fit: the cost became .* at epoch \d+, batch \d+.*"
                                                   r"learning rate about 10 times smaller") as info:
        diverging_run("raise")
    err = info.value
    assert isinstance(err, RuntimeError)
    assert str(err) == f"nnlab.fit: {stopped.stopped}"
    assert isinstance(err.history, nl.History)
    assert err.history.stopped == stopped.stopped
    assert err.history["loss"] == stopped["loss"]
    assert capsys.readouterr().out == ""             # raise does not print


# ---------------------------------------------------------------------------------------------
# Callbacks and early stopping
# ---------------------------------------------------------------------------------------------

def test_callbacks_get_epoch_and_logs_and_true_stops():
    X, y = moons()
    calls = []

    def record(epoch, logs):
        calls.append((epoch, dict(logs)))
        return None

    def stop_at_3(epoch, logs):
        return epoch == 3

    h = train(mlp(), X, y, epochs=10, callbacks=[record, stop_at_3])
    assert [e for e, _ in calls] == [1, 2, 3]
    assert len(h) == 3
    for e, logs in calls:
        assert set(logs) == {"epoch", "loss", "accuracy", "lr", "time"}
        assert logs["loss"] == h["loss"][e - 1]
    assert h.stopped == "stop_at_3 stopped training after epoch 3"


def test_each_callback_gets_its_own_copy_of_the_logs():
    X, y = moons()
    seen = []

    def meddle(epoch, logs):
        logs["loss"] = -1.0

    h = train(mlp(), X, y, epochs=2, callbacks=[meddle, lambda epoch, logs: seen.append(logs["loss"])])
    assert seen == h["loss"] and all(v > 0 for v in seen)


def noisy_validation_run(patience, restore_best=True, epochs=60):
    """Train on the moons; validate on other moons with a fifth of the labels swapped. The validation
    loss first falls, then rises as the model grows confident (and wrong on the swapped fifth): with
    these seeds it is lowest at epoch 8, after a dip at epoch 6 (so patience must restart)."""
    X, y = moons()
    Xv, yv = moons(1, n=40)
    yv = yv.copy()
    yv[:8] = 1 - yv[:8]
    model = mlp()
    weights = {}

    def keep(epoch, logs):
        weights[epoch] = snapshot(model)

    es = nl.EarlyStopping(model, patience=patience, restore_best=restore_best)
    h = train(model, X, y, epochs=epochs, lr=0.02, validation=(Xv, yv), callbacks=[keep, es])
    return model, h, es, weights


def test_early_stopping_stops_and_restores_the_best_weights():
    model, h, es, weights = noisy_validation_run(patience=3)
    best = int(np.argmin(h["val_loss"])) + 1
    assert 3 < best < 20                              # not a trivial first-epoch optimum
    assert es.best_epoch == best
    assert es.best == h["val_loss"][best - 1]
    assert len(h) == best + 3 < 60
    assert h.stopped == f"EarlyStopping stopped training after epoch {best + 3}"
    for p, w in zip(model.parameters(), weights[best]):
        np.testing.assert_array_equal(p.data, w)
    last = weights[len(h)]
    assert any(not np.array_equal(p.data, w) for p, w in zip(model.parameters(), last))


def test_early_stopping_without_restore_keeps_the_last_weights():
    model, h, es, weights = noisy_validation_run(patience=2, restore_best=False)
    assert len(h) == es.best_epoch + 2
    for p, w in zip(model.parameters(), weights[len(h)]):
        np.testing.assert_array_equal(p.data, w)


def test_early_stopping_on_an_accuracy_looks_for_a_maximum():
    es = nl.EarlyStopping(mlp(), monitor="val_accuracy", patience=1, restore_best=False)
    assert es(1, {"val_accuracy": 0.5}) is False
    assert es(2, {"val_accuracy": 0.7}) is False     # higher is better
    assert es.best_epoch == 2
    assert es(3, {"val_accuracy": 0.6}) is True


def test_early_stopping_without_validation_data_is_an_error():
    X, y = moons()
    model = mlp()
    with pytest.raises(ValueError, match=r"EarlyStopping: the monitored value 'val_loss'.*Hint: pass validation="):
        train(model, X, y, epochs=2, callbacks=[nl.EarlyStopping(model)])


# ---------------------------------------------------------------------------------------------
# Progress, schedules, regression, float32
# ---------------------------------------------------------------------------------------------

def test_progress_bar_in_a_terminal_writes_a_text_bar_to_stderr(capsys):
    X, y = moons()
    h = train(mlp(), X, y, epochs=3, progress=True)
    out = capsys.readouterr()
    assert len(h) == 3
    assert out.out == ""
    assert "3/3" in out.err and "epoch" in out.err
    assert "loss=" in out.err


def test_no_progress_prints_nothing(capsys):
    X, y = moons()
    train(mlp(), X, y, epochs=3, progress=False, validation=(X, y))
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""


def test_schedule_argument_sets_the_learning_rate():
    X, y = moons()                                   # 100 examples, batch 25 → 4 steps per epoch
    model = mlp()
    opt = nl.SGD(model.parameters(), lr=0.5)
    sched = schedules.step_decay(0.1, drop=0.5, every=4)
    h = nl.fit(model, nl.SoftmaxCrossEntropy(), opt, X, y, epochs=3, batch_size=25,
               rng=np.random.default_rng(0), schedule=sched, progress=False)
    # "lr" is η at each epoch's last step t = 3, 7, 11: 0.1·0.5^⌊t/4⌋ = 0.1, 0.05, 0.025
    assert h["lr"] == pytest.approx([0.1, 0.05, 0.025], rel=1e-15)
    assert opt.t == 12
    assert opt.lr is sched


def test_schedule_in_fit_gives_the_same_weights_as_sgd_by_hand():
    X, y = moons(n=20)
    a, b = mlp(seed=5), mlp(seed=5)
    sched = schedules.inverse_time_decay(0.2, k=0.5)
    nl.fit(a, nl.SoftmaxCrossEntropy(), nl.SGD(a.parameters(), lr=1.0), X, y, epochs=1, batch_size=10,
           rng=np.random.default_rng(0), schedule=sched, progress=False, shuffle=False)
    loss = nl.SoftmaxCrossEntropy()
    for t, i in enumerate(range(0, 20, 10)):
        loss.forward(b.forward(X[i:i + 10]), y[i:i + 10])
        b.zero_grad()
        b.backward(loss.backward())
        for p in b.parameters():
            p.data -= 0.2 / (1 + 0.5 * t) * p.grad
    for p, q in zip(a.parameters(), b.parameters()):
        np.testing.assert_allclose(p.data, q.data, rtol=1e-14, atol=1e-15)


def test_squared_error_regression_fits_a_sine():
    rng = np.random.default_rng(0)
    X, Y = nl.data.make_sine(200, rng=rng, noise=0.1)
    model = nl.Sequential(nl.Dense(1, 32, rng=rng, init="xavier"), nl.Tanh(),
                          nl.Dense(32, 1, rng=rng, init="xavier"))
    h = nl.fit(model, nl.SquaredError(), nl.Adam(model.parameters(), lr=0.01), X, Y, epochs=150,
               batch_size=16, rng=rng, progress=False)
    assert "accuracy" not in h
    assert h["loss"][-1] < h["loss"][0] / 10
    # the noise floor is ½σ² = 0.005
    assert nl.evaluate(model, nl.SquaredError(), X, Y)["loss"] < 0.01
    grid = np.linspace(-3.0, 3.0, 61)[:, None]
    assert np.abs(nl.predict(model, grid) - np.sin(grid)).max() < 0.2


def test_float32_model_trains_through_fit():
    X, y = moons()
    model = mlp(dtype=np.float32)
    opt = nl.Adam(model.parameters(), lr=0.05)
    h = nl.fit(model, nl.SoftmaxCrossEntropy(), opt, X, y, epochs=60, batch_size=16,
               rng=np.random.default_rng(1), validation=(X, y), progress=False)
    assert all(p.data.dtype == np.float32 and p.grad.dtype == np.float32 for p in model.parameters())
    assert all(m.dtype == np.float32 for m in opt.m + opt.v)
    assert nl.predict(model, X).dtype == np.float32
    assert h["val_accuracy"][-1] == 1.0
    assert X.dtype == np.float64                     # the caller's data is untouched


# ---------------------------------------------------------------------------------------------
# Argument errors
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, error, pattern", [
    ({"epochs": 0}, ValueError, r"nnlab.fit: epochs must be ≥ 1, got 0"),
    ({"batch_size": 0}, ValueError, r"nnlab.fit: batch_size must be ≥ 1, got 0"),
    ({"rng": None}, TypeError, r"nnlab.fit: rng must be a numpy Generator.*Hint: create one"),
    ({"on_nan": "ignore"}, ValueError, r"on_nan must be one of 'stop', 'raise', got 'ignore'"),
    ({"validation": np.zeros((3, 2))}, TypeError, r"validation must be a pair \(X_val, y_val\)"),
    ({"schedule": 0.1}, TypeError, r"schedule must be a function of the step number"),
    ({"callbacks": [1]}, TypeError, r"each callback must be callable"),
])
def test_fit_argument_errors(kwargs, error, pattern):
    X, y = moons(n=20)
    model = mlp()
    args = {"epochs": 1, "rng": np.random.default_rng(0), "progress": False} | kwargs
    before = snapshot(model)
    with pytest.raises(error, match=pattern):
        nl.fit(model, nl.SoftmaxCrossEntropy(), nl.SGD(model.parameters(), 0.1), X, y, **args)
    for p, w in zip(model.parameters(), before):
        np.testing.assert_array_equal(p.data, w)     # nothing trained before the error


def test_fit_data_errors():
    X, y = moons(n=20)
    model = mlp()
    opt = nl.SGD(model.parameters(), 0.1)
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match=r"nnlab.fit: y must have one label per example, shape \(20,\), got shape \(19,\)"):
        nl.fit(model, nl.SoftmaxCrossEntropy(), opt, X, y[:-1], epochs=1, rng=rng, progress=False)
    with pytest.raises(ValueError, match=r"X_val must be 2-D with shape \(N, 2\)"):
        nl.fit(model, nl.SoftmaxCrossEntropy(), opt, X, y, epochs=1, rng=rng, progress=False,
               validation=(X[:, :1], y))
    with pytest.raises(TypeError, match="opt must be an nnlab optimizer"):
        nl.fit(model, nl.SoftmaxCrossEntropy(), "adam", X, y, epochs=1, rng=rng, progress=False)
    with pytest.raises(ValueError, match=r"X must contain only finite numbers, got nan at index \(3, 1\)"):
        Xbad = X.copy()
        Xbad[3, 1] = np.nan
        nl.fit(model, nl.SoftmaxCrossEntropy(), opt, Xbad, y, epochs=1, rng=rng, progress=False)


# ---------------------------------------------------------------------------------------------
# History as an object
# ---------------------------------------------------------------------------------------------

def test_history_access_and_table():
    X, y = moons()
    h = train(mlp(), X, y, epochs=3)
    with pytest.raises(KeyError, match="val_loss"):
        h["val_loss"]
    with pytest.raises(AttributeError, match="History has no 'val_loss'"):
        h.val_loss
    lines = h.table().splitlines()
    assert lines[0].split() == ["epoch", "loss", "accuracy", "lr"]
    assert len(lines) == 4
    assert lines[-1].split()[0] == "3"
    assert float(lines[-1].split()[1]) == pytest.approx(h["loss"][-1], abs=1e-4)
    assert repr(h).startswith("History(3 epochs: loss=")
