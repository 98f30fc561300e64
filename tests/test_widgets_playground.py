"""Playground: Step is one nl.fit epoch, Train runs in a thread that Pause stops, Reset is exact."""

import pytest

pytest.importorskip("ipywidgets")
pytest.importorskip("matplotlib")

import re  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

import nnlab as nl  # noqa: E402
from nnlab.widgets.playground import Playground, parse_hidden  # noqa: E402

STATUS = re.compile(r"epoch (\d+) · loss (\d+\.\d{4}) · val loss (\d+\.\d{4}) · "
                    r"accuracy (\d\.\d{3}) · val accuracy (\d\.\d{3})")


def small(dataset="moons", **kwargs):
    """A playground on 100 points that trains at full speed."""
    return Playground(dataset, **{"n": 100, "pace": 0.0, **kwargs})


def weights(model):
    return [p.data.copy() for p in model.parameters()]


def test_step_is_one_epoch_of_fit_with_the_same_seed():
    pg = small(hidden=(8,), optimizer="sgd", lr=0.05, batch_size=20, seed=3)
    pg.step_button.click()
    assert pg.epoch == 1 and len(pg.history) == 1

    rng = np.random.default_rng(3)
    X, y = nl.data.make_moons(100, rng=rng, noise=0.2)
    (X_train, y_train), (X_val, y_val) = nl.data.split(X, y, (0.7, 0.3), rng=rng)
    model = nl.Sequential(nl.Dense(2, 8, rng=rng, init="xavier"), nl.Tanh(), nl.Dense(8, 2, rng=rng, init="xavier"))
    history = nl.fit(model, nl.SoftmaxCrossEntropy(), nl.SGD(model.parameters(), lr=0.05), X_train, y_train,
                     epochs=1, batch_size=20, rng=rng, validation=(X_val, y_val), progress=False)
    for key in ("loss", "val_loss", "val_accuracy"):
        assert pg.history[key] == history[key], key
    assert pg.history["accuracy"] == [nl.metrics.accuracy(y_train, nl.predict(model, X_train))]
    for got, expected in zip(weights(pg.model), weights(model)):
        np.testing.assert_array_equal(got, expected)
    assert (pg.loss, pg.val_accuracy) == (history["loss"][0], history["val_accuracy"][0])


def test_squared_error_with_dropout_and_adam_matches_fit_for_two_steps():
    pg = small("xor", hidden=(6, 5), activation="relu", loss="squared error", dropout=0.2, lr=0.02,
               batch_size=10, seed=11)
    pg.step()
    pg.step_button.click()

    rng = np.random.default_rng(11)
    X, y = nl.data.make_xor(100, rng=rng, noise=0.2)
    (X_train, y_train), (X_val, y_val) = nl.data.split(X, y, (0.7, 0.3), rng=rng)
    model = nl.Sequential(nl.Dense(2, 6, rng=rng, init="he"), nl.ReLU(), nl.Dropout(0.2, rng=rng),
                          nl.Dense(6, 5, rng=rng, init="he"), nl.ReLU(), nl.Dropout(0.2, rng=rng),
                          nl.Dense(5, 2, rng=rng, init="he"), nl.Sigmoid())
    opt = nl.Adam(model.parameters(), lr=0.02)
    T_train, T_val = nl.data.one_hot(y_train, 2), nl.data.one_hot(y_val, 2)
    losses = [nl.fit(model, nl.SquaredError(), opt, X_train, T_train, epochs=1, batch_size=10, rng=rng,
                     validation=(X_val, T_val), progress=False)["loss"][0] for _ in range(2)]
    assert pg.history["loss"] == losses
    assert pg.accuracy == nl.metrics.accuracy(y_train, nl.predict(model, X_train))
    for got, expected in zip(weights(pg.model), weights(model)):
        np.testing.assert_array_equal(got, expected)


def test_train_in_the_background_lowers_the_loss_and_stops_at_max_epochs():
    pg = small(max_epochs=40, lr=0.02)
    initial = pg.loss
    pg.train_button.click()
    assert pg.wait(timeout=20)
    assert pg.epoch == 40 and len(pg.history) == 40
    assert pg.loss < 0.5 * initial
    assert "max_epochs = 40" in pg.status.value
    assert not pg.train_button.disabled and pg.pause_button.disabled


def test_pause_stops_the_thread():
    pg = small("spirals", max_epochs=100_000, pace=0.005)
    pg.start()
    assert pg.running and pg.train_button.disabled and not pg.pause_button.disabled
    time.sleep(0.2)
    pg.pause_button.click()
    assert not pg.running
    stopped_at = pg.epoch
    assert 0 < stopped_at < 100_000
    time.sleep(0.1)
    assert pg.epoch == stopped_at
    assert f"epoch {stopped_at} " in pg.status.value            # the last state is drawn


def test_reset_restores_epoch_0_with_identical_initial_weights():
    pg = small(dropout=0.1)
    initial_weights, initial_status, initial_png = weights(pg.model), pg.status.value, pg.view.image.value
    pg.train(5)
    assert pg.view.image.value != initial_png
    pg.reset_button.click()
    assert pg.epoch == 0 and len(pg.history) == 0
    for got, expected in zip(weights(pg.model), initial_weights):
        np.testing.assert_array_equal(got, expected)
    assert pg.status.value == initial_status
    assert pg.view.image.value == initial_png


def test_same_controls_and_seed_give_the_same_numbers_another_seed_does_not():
    a, b, c = small(seed=5), small(seed=5), small(seed=6)
    for pg in (a, b, c):
        pg.train(3)
    assert a.history["loss"] == b.history["loss"]
    assert a.history["loss"] != c.history["loss"]


def test_status_line_has_the_fixed_formats():
    pg = small()
    match = STATUS.search(pg.status.value)
    assert match and match.group(1) == "0"
    pg.step()
    epoch, loss, val_loss, acc, val_acc = STATUS.search(pg.status.value).groups()
    assert epoch == "1"
    assert (loss, val_loss) == (f"{pg.loss:.4f}", f"{pg.val_loss:.4f}")
    assert (acc, val_acc) == (f"{pg.accuracy:.3f}", f"{pg.val_accuracy:.3f}")


def test_bad_hidden_text_is_a_message_in_the_status_not_an_exception():
    pg = small()
    model = pg.model
    pg.hidden_control.value = "8, x"
    assert pg.model is model
    assert "hidden layers" in pg.status.value and "whole numbers separated by commas" in pg.status.value
    assert STATUS.search(pg.status.value)                      # the numbers are still there
    pg.hidden_control.value = ""                               # no hidden layer: one Dense layer
    assert pg.error is None and "hidden layers" not in pg.status.value
    assert [repr(layer) for layer in pg.model] == ["Dense(n_in=2, n_out=2)"]
    pg.hidden_control.value = "3, 4"
    assert [layer.n_out for layer in pg.model if isinstance(layer, nl.Dense)] == [3, 4, 2]


def test_changing_a_control_while_training_pauses_and_resets():
    pg = small(max_epochs=100_000, pace=0.005)
    pg.start()
    time.sleep(0.1)
    pg.activation_control.value = "relu"
    assert not pg.running and pg.epoch == 0
    assert isinstance(pg.model[1], nl.ReLU)


def test_learning_rate_applies_at_once_without_reset():
    pg = small()
    pg.train(2)
    pg.lr_control.value = 0.1
    assert pg.opt.lr == 0.1 and pg.epoch == 2


def test_divergence_is_reported_and_training_stops():
    pg = small(activation="elu", hidden=(32, 32, 32), optimizer="momentum", lr=1.0, batch_size=70)
    pg.train(20)
    assert pg.diverged and pg.epoch < 20
    assert "diverged" in pg.status.value
    epoch = pg.epoch
    pg.step_button.click()
    pg.train_button.click()
    assert pg.wait(timeout=5) and pg.epoch == epoch


def test_gradient_norms_in_the_status_leave_the_numbers_unchanged():
    with_norms, without = small(dropout=0.2, show_gradients=True), small(dropout=0.2)
    with_norms.train(2)
    without.train(2)
    assert with_norms.history["loss"] == without.history["loss"]
    assert len(with_norms.gradient_norms) == 3
    assert "layer 3:" in with_norms.status.value


def test_a_redraw_is_fast():
    pg = small()
    pg.train(3)
    times = []
    for _ in range(3):
        start = time.perf_counter()
        pg._refresh()
        times.append(time.perf_counter() - start)
    assert min(times) < 0.25                                      # about 40 ms on an idle laptop core


def test_parse_hidden():
    assert parse_hidden("8, 8") == (8, 8)
    assert parse_hidden(" 4 ") == (4,)
    assert parse_hidden("") == () and parse_hidden("none") == ()
    assert parse_hidden((3, 2)) == (3, 2)
    with pytest.raises(ValueError, match=r"each width must lie in \[1, 64\]"):
        parse_hidden("8, 100")
    with pytest.raises(ValueError, match="at most 6 hidden layers"):
        parse_hidden("1,1,1,1,1,1,1")


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(dataset="blobs"), ValueError, "dataset must be one of"),
    (dict(hidden="8, x"), ValueError, "Playground: hidden layers: whole numbers"),
    (dict(hidden=8), TypeError, "hidden layers: a text such as"),
    (dict(batch_size=500), ValueError, "batch_size must be at most the training set size, 140"),
    (dict(lr=5.0), ValueError, r"lr must lie in \[0.0001, 1.0\]"),
    (dict(loss="hinge"), ValueError, "loss must be one of"),
    (dict(dropout=0.95), ValueError, "dropout must lie in"),
])
def test_bad_constructor_arguments_raise_clear_errors(kwargs, error, match):
    with pytest.raises(error, match=match):
        Playground(**kwargs)


def test_contract_for_the_browser_test():
    pg = Playground()
    assert {"nnlab-explorer", "nnlab-playground"} <= set(pg.widget._dom_classes)
    assert "nnlab-train" in pg.train_button._dom_classes
    assert "nnlab-status" in pg.status._dom_classes
    assert "nnlab-plot" in pg.view.image._dom_classes
    for control, css in ((pg.dataset_control, "nnlab-dataset"), (pg.hidden_control, "nnlab-hidden"),
                         (pg.lr_control, "nnlab-lr"), (pg.batch_size_control, "nnlab-batch-size"),
                         (pg.dropout_control, "nnlab-dropout"), (pg.pause_button, "nnlab-pause"),
                         (pg.step_button, "nnlab-step"), (pg.reset_button, "nnlab-reset")):
        assert css in control._dom_classes and control.description
