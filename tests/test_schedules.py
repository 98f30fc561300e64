"""Learning-rate schedules as tables: η_t at chosen t, worked out by hand; purity; errors."""

import math

import pytest

from nnlab import schedules


def assert_table(schedule, table):
    for t, expected in table:
        assert schedule(t) == pytest.approx(expected, rel=1e-12, abs=0), (schedule, t)


def test_constant():
    assert_table(schedules.constant(0.3), [(0, 0.3), (1, 0.3), (10**6, 0.3)])


def test_step_decay_table():
    # η_t = 0.1 · 0.5^⌊t/10⌋
    s = schedules.step_decay(0.1, 0.5, 10)
    assert_table(s, [
        (0, 0.1),      # ⌊0/10⌋ = 0
        (9, 0.1),      # ⌊9/10⌋ = 0: the drop has not happened yet
        (10, 0.05),    # ⌊10/10⌋ = 1
        (19, 0.05),
        (25, 0.025),   # ⌊25/10⌋ = 2: 0.1 · 0.25
    ])


def test_exponential_decay_table():
    # η_t = 0.1 · 0.5^(t/10): the smooth version of the step decay above
    s = schedules.exponential_decay(0.1, 0.5, 10)
    assert_table(s, [
        (0, 0.1),
        (5, 0.1 / math.sqrt(2)),    # 0.5^0.5 = 1/√2:  0.0707106781…
        (10, 0.05),
        (20, 0.025),
        (25, 0.025 / math.sqrt(2)), # 0.1 · 0.5^2.5 = 0.025 · 0.5^0.5 = 0.0176776695…
    ])
    assert s(5) == pytest.approx(0.0707106781, abs=1e-10)


def test_inverse_time_decay_table():
    # η_t = 0.1 / (1 + 0.5 t)
    s = schedules.inverse_time_decay(0.1, k=0.5)
    assert_table(s, [(0, 0.1), (2, 0.05), (6, 0.025), (18, 0.01)])


def test_inverse_time_decay_with_k_zero_is_constant():
    assert_table(schedules.inverse_time_decay(0.2, k=0.0), [(0, 0.2), (1000, 0.2)])


def test_cosine_decay_table_reaches_lr_min_at_total_and_stays():
    # η_t = 0.01 + ½ (0.1 − 0.01)(1 + cos(π t/10)) for t ≤ 10, then 0.01
    s = schedules.cosine_decay(0.1, total=10, lr_min=0.01)
    assert_table(s, [
        (0, 0.1),                   # cos 0 = 1:      0.01 + 0.09
        (5, 0.055),                 # cos(π/2) = 0:   0.01 + 0.045
        (10, 0.01),                 # cos π = −1:     lr_min
        (11, 0.01),                 # stays at lr_min after total
        (1000, 0.01),
    ])
    # a quarter of the way (total = 4, t = 1): cos(π/4) = 1/√2 → 0.01 + 0.045·(1 + 0.70710678…) = 0.086819805…
    assert schedules.cosine_decay(0.1, total=4, lr_min=0.01)(1) == pytest.approx(0.0868198052, abs=1e-10)


def test_cosine_decay_default_lr_min_is_zero():
    s = schedules.cosine_decay(1.0, total=2)
    assert_table(s, [(0, 1.0), (1, 0.5)])
    assert s(2) == pytest.approx(0.0, abs=1e-15)
    assert s(3) == pytest.approx(0.0, abs=1e-15)


@pytest.mark.parametrize("s", [
    schedules.constant(0.1),
    schedules.step_decay(0.1, 0.5, 3),
    schedules.exponential_decay(0.1, 0.9, 2),
    schedules.inverse_time_decay(0.1, 0.3),
    schedules.cosine_decay(0.1, 7, 0.001),
])
def test_schedules_are_pure_functions_of_t(s):
    ts = [0, 1, 2, 3, 5, 8, 13, 21]
    forward = [s(t) for t in ts]
    backward = [s(t) for t in reversed(ts)][::-1]
    shuffled = {t: s(t) for t in [13, 0, 21, 2, 8, 1, 5, 3, 13, 0]}
    assert forward == backward == [shuffled[t] for t in ts]
    assert all(isinstance(v, float) for v in forward)
    assert s.table(ts) == list(zip(ts, forward))


@pytest.mark.parametrize("s", [
    schedules.step_decay(0.1, 0.5, 3),
    schedules.exponential_decay(0.1, 0.9, 2),
    schedules.inverse_time_decay(0.1, 0.3),
    schedules.cosine_decay(0.1, 7),
])
def test_decaying_schedules_never_increase(s):
    values = [s(t) for t in range(30)]
    assert all(b <= a for a, b in zip(values, values[1:]))
    assert values[-1] < values[0]


def test_repr_shows_the_parameters():
    assert repr(schedules.step_decay(0.1, 0.5, 10)) == "step_decay(lr0=0.1, drop=0.5, every=10)"


@pytest.mark.parametrize("make, error, pattern", [
    (lambda: schedules.constant(0.0), ValueError, r"constant: lr0 must lie in \(0.0, ∞\), got 0.0"),
    (lambda: schedules.step_decay(-0.1), ValueError, r"step_decay: lr0 must lie in"),
    (lambda: schedules.step_decay(0.1, drop=1.5), ValueError, r"step_decay: drop must lie in \(0.0, 1.0\], got 1.5"),
    (lambda: schedules.step_decay(0.1, drop=0.0), ValueError, r"step_decay: drop must lie in"),
    (lambda: schedules.step_decay(0.1, every=0), ValueError, r"step_decay: every must be ≥ 1, got 0"),
    (lambda: schedules.step_decay(0.1, every=2.5), TypeError, r"step_decay: every must be a whole number"),
    (lambda: schedules.exponential_decay(0.1, rate=2.0), ValueError, r"exponential_decay: rate must lie in"),
    (lambda: schedules.inverse_time_decay(0.1, k=-1.0), ValueError, r"inverse_time_decay: k must lie in \[0.0, ∞\)"),
    (lambda: schedules.cosine_decay(0.1, total=0), ValueError, r"cosine_decay: total must be ≥ 1, got 0"),
    (lambda: schedules.cosine_decay(0.1, total=10, lr_min=0.2), ValueError,
     r"cosine_decay: lr_min must lie in \[0.0, 0.1\], got 0.2"),
    (lambda: schedules.constant(float("nan")), ValueError, r"constant: lr0 must be finite"),
])
def test_construction_errors(make, error, pattern):
    with pytest.raises(error, match=pattern):
        make()


def test_negative_or_fractional_step_number_is_an_error():
    s = schedules.step_decay(0.1, 0.5, 10)
    with pytest.raises(ValueError, match=r"t \(the step number\) must be ≥ 0, got -1"):
        s(-1)
    with pytest.raises(TypeError, match=r"t \(the step number\) must be a whole number, got float 1.5"):
        s(1.5)
    with pytest.raises(TypeError, match="must be a whole number"):
        s(True)
