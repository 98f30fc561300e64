"""fit's progress bar in a notebook and its live loss plot: one display, updated in place."""

import sys
import types

import numpy as np
import pytest

import nnlab as nl

pytest.importorskip("matplotlib")


def moons_model(seed=0):
    rng = np.random.default_rng(seed)
    X, y = nl.data.make_moons(120, rng=rng, noise=0.1)
    model = nl.Sequential(nl.Dense(2, 8, rng=rng), nl.Tanh(), nl.Dense(8, 2, rng=rng))
    return model, X, y


def run_fit(**kwargs):
    model, X, y = moons_model()
    kwargs.setdefault("progress", False)
    return nl.fit(model, nl.SoftmaxCrossEntropy(), nl.Adam(model.parameters(), lr=0.05), X, y,
                  epochs=kwargs.pop("epochs", 6), batch_size=16, rng=np.random.default_rng(1),
                  validation=(X, y), **kwargs)


class FakeHandle:
    def __init__(self, shown):
        self.shown = shown

    def update(self, obj):
        self.shown.append(("update", obj))


@pytest.fixture
def fake_notebook(monkeypatch):
    """IPython reports a running shell and `display` records what it is given."""
    import IPython
    import IPython.display

    shown = []

    def display(obj, display_id=False):
        shown.append(("display", obj))
        return FakeHandle(shown) if display_id else None

    monkeypatch.setattr(IPython, "get_ipython", lambda: object())
    monkeypatch.setattr(IPython.display, "display", display)
    return shown


def test_live_plot_is_displayed_once_and_then_updated_in_place(fake_notebook):
    plot = nl.plotting.LiveLossPlot(interval=0.0)
    history = run_fit(live_plot=plot, epochs=5)
    kinds = [kind for kind, _ in fake_notebook]
    assert kinds == ["display"] + ["update"] * (plot.frames - 1)
    assert plot.frames == 6                      # one per epoch and the final drawing
    assert len(history) == 5
    last = fake_notebook[-1][1]
    assert last.data == plot.png and plot.png.startswith(b"\x89PNG")


def test_live_plot_is_throttled_but_always_draws_the_end(fake_notebook):
    plot = nl.plotting.LiveLossPlot(interval=1e9)
    run_fit(live_plot=plot, epochs=8)
    assert plot.frames == 2                      # the first epoch, then the end
    assert [kind for kind, _ in fake_notebook] == ["display", "update"]


def test_live_plot_draws_the_curves_of_the_history():
    plot = nl.plotting.LiveLossPlot(interval=0.0)
    history = run_fit(live_plot=plot, epochs=4)
    ax = plot.figure.axes[0]
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert set(lines) == {"loss", "val_loss"}
    np.testing.assert_allclose(lines["loss"].get_ydata(), history["loss"])
    np.testing.assert_allclose(lines["val_loss"].get_xdata(), history["epoch"])
    assert ax.get_title() == "epoch 4"


def test_live_plot_true_makes_the_default_plot_and_shows_nothing_outside_ipython(capsys):
    history = run_fit(live_plot=True, epochs=2)
    assert len(history) == 2
    assert capsys.readouterr().out == ""


def test_live_plot_draws_the_last_epoch_when_a_callback_stops_training(fake_notebook):
    plot = nl.plotting.LiveLossPlot(interval=1e9)
    history = run_fit(live_plot=plot, epochs=20, callbacks=[lambda epoch, logs: epoch == 3])
    assert len(history) == 3 and history.stopped
    assert plot.frames == 2 and plot.figure.axes[0].get_title() == "epoch 3"


def test_bad_live_plot_arguments_are_explained():
    with pytest.raises(TypeError, match="live_plot must be True, False or an nl.plotting.LiveLossPlot"):
        run_fit(live_plot="yes")
    with pytest.raises(TypeError, match="keys must be a non-empty sequence"):
        nl.plotting.LiveLossPlot(keys="loss")
    with pytest.raises(ValueError, match="interval"):
        nl.plotting.LiveLossPlot(interval=-1)


def test_progress_in_a_notebook_is_tqdms_widget_bar_reaching_the_total(monkeypatch):
    pytest.importorskip("ipywidgets")
    import IPython
    from tqdm.notebook import tqdm_notebook

    zmq_shell = type("ZMQInteractiveShell", (), {})()
    monkeypatch.setattr(IPython, "get_ipython", lambda: zmq_shell)
    bars = []

    class Recording(tqdm_notebook):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            bars.append(self)

    monkeypatch.setitem(sys.modules, "tqdm.notebook", types.SimpleNamespace(tqdm=Recording))
    run_fit(progress=True, epochs=4)
    (bar,) = bars
    assert bar.n == bar.total == 4
    assert bar.container.children[1].value == 4            # the IntProgress widget is full
    assert "loss" in bar.postfix and "val_accuracy" in bar.postfix
