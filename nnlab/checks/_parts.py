"""The common kind of part: a function with a reference implementation and known mistakes."""

from __future__ import annotations

import copy
import warnings

import numpy as np

from ._core import Case, Part
from ._plain import to_plain


def quietly(f, *args):
    """f(*args) with numpy's warnings silenced (for references and known-wrong variants)."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return f(*copy.deepcopy(args))


class FunctionPart(Part):
    """A part judged against `reference(*args)`; `mistakes` are (wrong_function, explanation) pairs.

    `make_cases(rng)` returns the list of Cases. A mistake that fails on a case (raises, or gives a
    result of another shape) simply does not match there.
    """

    def __init__(self, name, signature, chapter, make_cases, reference, mistakes=(), **options):
        super().__init__(name, signature, chapter, **options)
        self._make_cases = make_cases
        self._reference = reference
        self._mistakes = list(mistakes)

    def cases(self, rng: np.random.Generator) -> list[Case]:
        return self._make_cases(rng)

    def expected(self, case: Case):
        return to_plain(quietly(self._reference, *case.args))

    def wrong(self, case: Case):
        found = []
        for f, explanation in self._mistakes:
            try:
                found.append((to_plain(quietly(f, *case.args)), explanation))
            except Exception:  # this mistake cannot even run on this case: it cannot be the one
                continue
        return found
