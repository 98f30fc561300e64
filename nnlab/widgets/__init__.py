"""Interactive explorers for the course (ipywidgets 8), each a thin layer over pure nnlab functions.

    import nnlab as nl
    nl.widgets.NeuronExplorer()       # drag weights and the bias; see z, a and the decision line
    nl.widgets.ActivationExplorer()   # each activation and its derivative, saturation marked
    nl.widgets.DescentExplorer()      # gradient descent paths for a learning rate, momentum, schedule
    nl.widgets.Playground()           # train a small net on a 2-D data set and watch it learn
    nl.widgets.DropoutViewer()        # which units a dropout mask drops, and the scaling

Imported only when first used (`nl.widgets`), so `import nnlab` needs neither ipywidgets nor
matplotlib. Each explorer keeps the numbers it shows in attributes, so it can be driven in tests.
"""

try:
    import ipywidgets  # noqa: F401
    import matplotlib  # noqa: F401
except ImportError as missing:  # pragma: no cover - depends on the environment
    raise ImportError(
        f"nnlab.widgets needs ipywidgets and matplotlib ({missing.name} is not installed). "
        "Hint: install the course extras with  pip install -e '.[course]'  (or run  make lab)."
    ) from missing

from .descent import DescentExplorer  # noqa: E402
from .activation import ActivationExplorer  # noqa: E402
from .dropout import DropoutViewer  # noqa: E402
from .neuron import NeuronExplorer  # noqa: E402
from .playground import Playground  # noqa: E402

__all__ = ["ActivationExplorer", "DescentExplorer", "DropoutViewer", "NeuronExplorer", "Playground"]
