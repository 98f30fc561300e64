"""nl.tiny: a number at the level of rounding, said the same way on every machine."""

import numpy as np
import pytest

import nnlab as nl
from nnlab.roundoff import bound_text


@pytest.mark.parametrize("x", [0.0, -0.0, 5.6e-17, -1.1e-16, 6.9e-17, 9.99e-13])
def test_rounding_residuals_read_the_same(x):
    # the differences chapter 04 printed on three machines all read as one text
    assert nl.tiny(x) == "< 1e-12"


def test_bound_is_stated_the_short_way():
    assert nl.tiny(4.9e-10, below=1e-7) == "< 1e-7"
    assert nl.tiny(3e-9, below=5e-8) == "< 5e-8"
    assert nl.tiny(1e-3, below=0.01) == "< 1e-2"
    assert [bound_text(b) for b in (1e-12, 1e-7, 5e-8, 1.0, 100.0)] == ["1e-12", "1e-7", "5e-8", "1e0", "1e2"]


def test_a_value_at_or_above_the_bound_is_shown_with_two_digits():
    assert nl.tiny(0.63, below=1e-7) == "6.3e-01"
    assert nl.tiny(1e-12) == "1.0e-12"                   # the bound itself is not below it
    assert nl.tiny(-2.5e-3) == "2.5e-03"                 # a magnitude


def test_an_array_counts_its_largest_entry():
    a = np.array([[1.0, 2.0], [3.0, 4.0]])
    b = a + np.array([[0.0, 1e-16], [-4e-16, 0.0]])
    assert nl.tiny(a - b) == "< 1e-12"
    b[1, 1] += 1e-3
    assert nl.tiny(a - b) == "1.0e-03"
    assert nl.tiny([1e-20, -3e-14]) == "< 1e-12"


def test_not_finite_is_never_tiny():
    assert nl.tiny(np.nan) == "nan"
    assert nl.tiny([0.0, np.nan]) == "nan"
    assert nl.tiny(np.inf) == "inf"
    assert nl.tiny(-np.inf) == "inf"


def test_input_is_not_modified():
    a = np.array([1e-20, -2.0])
    before = a.copy()
    nl.tiny(a)
    np.testing.assert_array_equal(a, before)


@pytest.mark.parametrize("below", [0, -1e-12, np.nan, np.inf, "1e-12", True, None])
def test_bad_bound_is_a_clear_error(below):
    with pytest.raises(ValueError, match=r"nnlab\.tiny: below must be a positive, finite number"):
        nl.tiny(1e-17, below=below)


@pytest.mark.parametrize("x", ["0.1", None, True, {"a": 1}])
def test_bad_value_is_a_clear_error(x):
    with pytest.raises(TypeError, match=r"nnlab\.tiny: x must be a number or an array of numbers"):
        nl.tiny(x)


def test_empty_is_a_clear_error():
    with pytest.raises(ValueError, match=r"nnlab\.tiny: x must hold at least one number"):
        nl.tiny(np.array([]))
