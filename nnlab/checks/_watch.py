"""Which of nnlab's own implementations a learner's function calls while a check runs it.

A measure-it or training part asks the learner to write the experiment; calling nnlab's finished
version of it (nl.diagnostics.gradient_norms, nl.neuron.train_perceptron, nl.data.standardize …)
is a shortcut the check names. `Calls(codes)` watches with `sys.setprofile` (the grader's runner
traces with `sys.settrace`, which this leaves alone) and records the names of the watched
functions that were called.
"""

from __future__ import annotations

import sys


class Calls:
    """with Calls({code_object: "nl.x.y", …}) as seen: …  →  seen.called, the names in call order."""

    def __init__(self, codes: dict):
        self.codes = dict(codes)
        self.called: list[str] = []

    def _profile(self, frame, event, arg):
        if event == "call":
            name = self.codes.get(frame.f_code)
            if name is not None and name not in self.called:
                self.called.append(name)

    def __enter__(self):
        self._previous = sys.getprofile()
        sys.setprofile(self._profile)
        return self

    def __exit__(self, *exc):
        sys.setprofile(self._previous)
        return False


def codes_of(**functions) -> dict:
    """{f.__code__: name} for functions given as name=function (methods of a class: every one)."""
    import inspect

    found = {}
    for name, f in functions.items():
        name = name.replace("__", ".")
        if inspect.isclass(f):
            for _, member in inspect.getmembers(f, inspect.isfunction):
                found[member.__code__] = name
        else:
            found[f.__code__] = name
    return found
