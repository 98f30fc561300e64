"""Metrics: accuracy (from labels or scores) and the confusion matrix, on hand-made examples."""

import numpy as np
import pytest

from nnlab import metrics

Y_TRUE = np.array([0, 0, 1, 1, 1, 2, 2, 2, 2])
Y_PRED = np.array([0, 1, 1, 1, 2, 2, 2, 0, 2])
#   true 0: predicted 0, 1            → row 0 = [1, 1, 0]
#   true 1: predicted 1, 1, 2         → row 1 = [0, 2, 1]
#   true 2: predicted 2, 2, 0, 2      → row 2 = [1, 0, 3]
CONFUSION = np.array([[1, 1, 0],
                      [0, 2, 1],
                      [1, 0, 3]])


def scores_for(labels, K=3):
    """Scores whose argmax is `labels`; not probabilities, and with negative entries."""
    S = np.full((len(labels), K), -2.0)
    S[np.arange(len(labels)), labels] = 5.0
    return S


def test_accuracy_from_labels():
    # 6 of 9 correct (positions 0, 2, 3, 5, 6, 8)
    assert metrics.accuracy(Y_TRUE, Y_PRED) == pytest.approx(6 / 9)
    assert metrics.accuracy([0, 1, 2, 1], [0, 2, 2, 1]) == 0.75
    assert metrics.accuracy(Y_TRUE, Y_TRUE) == 1.0
    assert isinstance(metrics.accuracy(Y_TRUE, Y_PRED), float)


def test_accuracy_from_scores_takes_the_argmax():
    assert metrics.accuracy(Y_TRUE, scores_for(Y_PRED)) == pytest.approx(6 / 9)
    logits = np.array([[0.1, 0.7, 0.2],     # → 1
                       [2.0, -1.0, 0.0],    # → 0
                       [-3.0, -2.0, -1.0]])  # → 2
    assert metrics.accuracy([1, 0, 0], logits) == pytest.approx(2 / 3)


def test_accuracy_accepts_float_labels_that_are_whole_numbers():
    assert metrics.accuracy(np.array([0.0, 1.0, 2.0]), np.array([0, 1, 1])) == pytest.approx(2 / 3)


def test_confusion_matrix_by_hand():
    M = metrics.confusion_matrix(Y_TRUE, Y_PRED)
    np.testing.assert_array_equal(M, CONFUSION)
    assert M.dtype == np.int64
    assert M.sum() == len(Y_TRUE)
    assert np.trace(M) == np.count_nonzero(Y_TRUE == Y_PRED)
    np.testing.assert_array_equal(M.sum(axis=1), np.bincount(Y_TRUE))   # rows = true classes
    np.testing.assert_array_equal(M.sum(axis=0), np.bincount(Y_PRED))   # columns = predicted


def test_confusion_matrix_rows_are_true_columns_are_predicted():
    # one example of class 0 predicted as 2: it belongs in row 0, column 2, not the other way round
    M = metrics.confusion_matrix([0], [2], n_classes=3)
    assert M[0, 2] == 1 and M[2, 0] == 0 and M.sum() == 1


def test_confusion_matrix_from_scores_and_with_n_classes():
    np.testing.assert_array_equal(metrics.confusion_matrix(Y_TRUE, scores_for(Y_PRED)), CONFUSION)
    M = metrics.confusion_matrix(Y_TRUE, Y_PRED, n_classes=5)
    assert M.shape == (5, 5)
    np.testing.assert_array_equal(M[:3, :3], CONFUSION)
    assert M[3:].sum() == 0 and M[:, 3:].sum() == 0
    # scores with 4 columns: the matrix is 4×4 even though class 3 never occurs
    assert metrics.confusion_matrix(Y_TRUE, scores_for(Y_PRED, K=4)).shape == (4, 4)


def test_confusion_matrix_is_consistent_with_accuracy_on_random_data():
    rng = np.random.default_rng(0)
    y, p = rng.integers(0, 7, 500), rng.integers(0, 7, 500)
    M = metrics.confusion_matrix(y, p, n_classes=7)
    assert M.sum() == 500
    assert np.trace(M) / 500 == pytest.approx(metrics.accuracy(y, p))
    for i in range(7):
        for j in range(7):
            assert M[i, j] == np.count_nonzero((y == i) & (p == j))


def test_inputs_are_not_modified():
    y, s = Y_TRUE.copy(), scores_for(Y_PRED)
    s_before = s.copy()
    metrics.accuracy(y, s)
    metrics.confusion_matrix(y, s)
    np.testing.assert_array_equal(y, Y_TRUE)
    np.testing.assert_array_equal(s, s_before)


def test_shape_mismatch_is_an_error():
    with pytest.raises(ValueError, match=r"accuracy: y_pred must have one label per example, shape \(9,\), got shape \(8,\)"):
        metrics.accuracy(Y_TRUE, Y_PRED[:-1])
    with pytest.raises(ValueError, match=r"y_pred must have one row per example, 9 rows, got shape \(8, 3\)"):
        metrics.accuracy(Y_TRUE, scores_for(Y_PRED)[:-1])
    with pytest.raises(ValueError, match=r"confusion_matrix: y_pred must have one label per example"):
        metrics.confusion_matrix(Y_TRUE, Y_PRED[:-1])


def test_one_hot_labels_are_an_error_with_a_hint():
    with pytest.raises(ValueError, match=r"y_true must be 1-D.*Hint: labels are class indices, not one-hot rows"):
        metrics.accuracy(np.eye(3), [0, 1, 2])


def test_non_integer_labels_are_an_error():
    with pytest.raises(TypeError, match="y_true must hold integer class labels"):
        metrics.accuracy([0.5, 1.0], [0, 1])


def test_label_out_of_range_is_an_error():
    with pytest.raises(ValueError, match=r"confusion_matrix: labels in y_true must lie in \[0, 2\], got label 3"):
        metrics.confusion_matrix([0, 1, 3], [0, 1, 2], n_classes=3)
    with pytest.raises(ValueError, match=r"labels in y_pred must lie in \[0, 2\], got label 5"):
        metrics.confusion_matrix([0, 1, 2], [0, 5, 2], n_classes=3)
    with pytest.raises(ValueError, match=r"labels in y_true must lie in \[0, 2\], got label -1"):
        metrics.confusion_matrix([0, -1, 2], [0, 1, 2], n_classes=3)


def test_n_classes_must_be_a_positive_whole_number():
    with pytest.raises(ValueError, match="n_classes must be ≥ 1, got 0"):
        metrics.confusion_matrix([0], [0], n_classes=0)
