"""Skin-tone figures: the grade accuracy standardised to the set's grade mix."""

from __future__ import annotations

import numpy as np

from comedo.workflows.fairness import standardised_accuracy


def test_a_band_of_more_severe_faces_compares_at_the_sets_grade_mix() -> None:
    # Both bands read mild faces right 9 times in 10 and severe faces 5 in 10; the second holds more severe faces.
    mild_band_truth = np.array([0] * 90 + [2] * 10)
    mild_band_pred = np.array([0] * 81 + [1] * 9 + [2] * 5 + [1] * 5)
    severe_band_truth = np.array([0] * 50 + [2] * 50)
    severe_band_pred = np.array([0] * 45 + [1] * 5 + [2] * 25 + [1] * 25)
    assert np.mean(mild_band_pred == mild_band_truth) > np.mean(severe_band_pred == severe_band_truth) + 0.1
    mix = np.array([0.7, 0.0, 0.3, 0.0])
    a = standardised_accuracy(mild_band_truth, mild_band_pred, mix)
    b = standardised_accuracy(severe_band_truth, severe_band_pred, mix)
    assert a is not None and b is not None
    assert abs(a - b) < 1e-9 and abs(a - (0.7 * 0.9 + 0.3 * 0.5)) < 1e-9


def test_grades_a_band_lacks_are_left_out_of_the_weights() -> None:
    truth = np.array([0, 0, 1, 1])
    pred = np.array([0, 0, 1, 0])
    # Grade 3 is in the set's mix but not in the band: the band's two grades share the weight.
    assert standardised_accuracy(truth, pred, np.array([0.25, 0.25, 0.0, 0.5])) == 0.75
    assert standardised_accuracy(np.array([], int), np.array([], int), np.array([0.5, 0.5, 0, 0])) is None
