"""nnlab: a neural network built from scratch in numpy, the companion package of the nnlab course.

    import numpy as np
    import nnlab as nl

    rng = np.random.default_rng(0)
    X, y = nl.data.load_digits()
    model = nl.Sequential(nl.Dense(64, 128, rng=rng), nl.ReLU(), nl.Dense(128, 10, rng=rng))
    history = nl.fit(model, nl.SoftmaxCrossEntropy(), nl.Adam(model.parameters()), X, y,
                     epochs=20, rng=rng)

Plotting (`nl.plotting`) and widgets (`nl.widgets`) import matplotlib and ipywidgets only when
first used; `import nnlab` needs numpy (and tqdm, loaded when `fit` shows progress).
"""

from . import activations, autograd, data, descent, diagnostics, gradcheck, metrics, schedules
from .activation_layers import ELU, ReLU, Sigmoid, Softmax, Tanh
from .dense import Dense
from .dropout import Dropout
from .layer import Layer
from .losses import Loss, SoftmaxCrossEntropy, SquaredError
from .model import Sequential
from .neuron import Neuron
from .optim import SGD, Adam, Optimizer, RMSProp
from .parameter import Parameter
from .recurrent import LSTM, RNN
from .residual import Residual
from .roundoff import tiny
from .sequence import LastStep, TimeDistributed
from .training import EarlyStopping, History, TrainingDiverged, evaluate, fit, predict

__version__ = "0.1.0"

#: Modules loaded on first use (PEP 562), so that `import nnlab` stays light.
_LAZY = ("plotting", "widgets", "checks", "grading")


def __getattr__(name):
    if name in _LAZY:
        import importlib

        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'nnlab' has no attribute {name!r}")

__all__ = [
    "activations", "autograd", "data", "descent", "diagnostics", "gradcheck", "metrics", "schedules",
    "Parameter", "Layer", "Dense", "Sigmoid", "Tanh", "ReLU", "ELU", "Softmax", "Dropout",
    "Residual", "RNN", "LSTM", "LastStep", "TimeDistributed", "Sequential", "Neuron", "Loss",
    "SquaredError", "SoftmaxCrossEntropy",
    "Optimizer", "SGD", "RMSProp", "Adam", "fit", "evaluate", "predict", "History",
    "EarlyStopping", "TrainingDiverged", "tiny",
]
