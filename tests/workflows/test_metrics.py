from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from comedo.detect.decode import box_iou, decode_centres
from comedo.workflows.metrics import average_precision, confusion_matrix, match_circles


def test_box_iou_hand_computed() -> None:
    a = np.array([[0, 0, 10, 10]], np.float32)
    b = np.array([[5, 0, 15, 10], [20, 20, 30, 30]], np.float32)
    assert np.allclose(box_iou(a, b), [[50 / 150, 0.0]])


def test_ap_perfect_and_empty() -> None:
    truth = [np.array([[0, 0, 10, 10], [20, 20, 30, 30]], np.float32)]
    perfect = [(truth[0].copy(), np.array([0.9, 0.8], np.float32))]
    assert average_precision(perfect, truth) == pytest.approx(1.0)
    none = [(np.zeros((0, 4), np.float32), np.zeros(0, np.float32))]
    assert average_precision(none, truth) == 0.0


def test_ap_ranks_false_positive_first() -> None:
    truth = [np.array([[0, 0, 10, 10]], np.float32)]
    preds = [(np.array([[50, 50, 60, 60], [0, 0, 10, 10]], np.float32), np.array([0.9, 0.5], np.float32))]
    # precision at recall 1 is 0.5 -> AP 0.5
    assert average_precision(preds, truth) == pytest.approx(0.5, abs=0.01)


def test_decode_finds_peak_with_size_and_offset() -> None:
    heat = np.zeros((20, 20), np.float32)
    heat[5, 7] = 0.9
    heat[5, 8] = 0.5  # neighbour, suppressed by the 3x3 peak test
    size = np.zeros((2, 20, 20), np.float32)
    size[:, 5, 7] = (12, 8)
    offset = np.zeros((2, 20, 20), np.float32)
    offset[:, 5, 7] = (0.5, 0.25)
    xyxy, score = decode_centres(heat, size, offset, stride=4, min_score=0.3)
    assert score.tolist() == pytest.approx([0.9])
    assert xyxy[0].tolist() == pytest.approx([30 - 6, 21 - 4, 30 + 6, 21 + 4])


def test_refined_centre_finds_a_gaussian_summit_between_cells() -> None:
    ys, xs = np.mgrid[0:32, 0:32].astype(np.float32)
    true_col, true_row = 12.3, 9.8  # summit in cell coordinates (cell centres at integer + 0.5 minus 0.5)
    heat = 0.8 * np.exp(-((xs - true_col) ** 2 + (ys - true_row) ** 2) / (2 * 1.2**2))
    size = np.full((2, 32, 32), 20.0, np.float32)
    offset = np.full((2, 32, 32), 0.5, np.float32)
    plain, _ = decode_centres(heat, size, offset, stride=4, min_score=0.3)
    refined, score = decode_centres(heat, size, offset, stride=4, min_score=0.3, refine_centre=True)
    assert len(refined) == 1 and score[0] > 0.75
    centre = (refined[0, :2] + refined[0, 2:]) / 2
    assert centre.tolist() == pytest.approx([(true_col + 0.5) * 4, (true_row + 0.5) * 4], abs=0.05)
    plain_centre = (plain[0, :2] + plain[0, 2:]) / 2
    assert abs(plain_centre[0] - (true_col + 0.5) * 4) > 1.0  # the cell alone is off by 1.2 px


def test_refined_centre_stays_put_on_the_border() -> None:
    heat = np.zeros((8, 8), np.float32)
    heat[0, 3] = 0.9
    size = np.full((2, 8, 8), 10.0, np.float32)
    xyxy, _ = decode_centres(heat, size, np.zeros((2, 8, 8), np.float32), stride=4, min_score=0.5,
                             refine_centre=True)
    assert ((xyxy[0, :2] + xyxy[0, 2:]) / 2).tolist() == pytest.approx([14.0, 2.0])


def test_match_circles_one_to_one() -> None:
    m = match_circles(np.array([[10, 10], [11, 10], [50, 50]]), np.array([3, 3, 3]),
                      np.array([[10, 10], [80, 80]]), np.array([4, 4]))
    assert (m.true_positives, m.predictions, m.truths) == (1, 3, 2)
    assert m.recall == 0.5


def test_confusion_matrix() -> None:
    assert confusion_matrix([0, 1, 1], [0, 1, 0], 2).tolist() == [[1, 0], [1, 1]]


def test_macro_f1_hand_computed() -> None:
    from comedo.workflows.metrics import macro_f1

    # class 0: tp 2, fp 1, fn 0 -> p 2/3, r 1 -> f1 0.8; class 1: tp 1, fp 0, fn 1 -> p 1, r 0.5 -> f1 2/3
    f1, per = macro_f1(np.array([[2, 0], [1, 1]]))
    assert per == pytest.approx([0.8, 2 / 3]) and f1 == pytest.approx((0.8 + 2 / 3) / 2)


def test_bootstrap_interval_resamples_copies_of_one_photo_together() -> None:
    from comedo.workflows.metrics import bootstrap_macro_f1, confusion_matrix, macro_f1

    rng = np.random.default_rng(3)
    truth = rng.integers(0, 3, 40)
    pred = np.where(rng.random(40) < 0.7, truth, (truth + 1) % 3)
    assert bootstrap_macro_f1(truth, truth, [str(i) for i in range(40)], 3) == (1.0, 1.0)
    # Three identical copies of each photo: resampled as one source they give the interval of the 40 photos;
    # taken as 120 independent photos they would give a narrower, over-confident one.
    copies_t, copies_p = np.repeat(truth, 3), np.repeat(pred, 3)
    grouped = bootstrap_macro_f1(copies_t, copies_p, np.repeat([str(i) for i in range(40)], 3), 3)
    naive = bootstrap_macro_f1(copies_t, copies_p, [str(i) for i in range(120)], 3)
    point = macro_f1(confusion_matrix(truth, pred, 3))[0]
    assert grouped[0] < point < grouped[1]
    assert grouped[1] - grouped[0] > 1.4 * (naive[1] - naive[0])


def test_detector_intervals_resample_source_photos() -> None:
    from comedo.workflows.evaluate import (
        Dataset,
        DetectorRun,
        bootstrap_intervals,
        score_run,
    )

    rng = np.random.default_rng(5)
    boxes, preds, sources = [], [], []
    for i in range(30):
        truth = np.array([[10.0 * k, 0, 10.0 * k + 8, 8] for k in range(rng.integers(1, 6))], np.float32)
        keep = truth[: max(1, len(truth) - int(rng.integers(0, 2)))]  # sometimes one lesion missed
        boxes.append(truth)
        preds.append((keep, np.full(len(keep), 0.9, np.float32)))
        sources.append(f"photo{i // 2}")  # two files per source photo
    ds = Dataset(Path("."), [Path(f"{i}.jpg") for i in range(30)], boxes, [None] * 30, sources, [None] * 30)
    run = DetectorRun("test", 0.5, preds, 1.0)
    figures = score_run(ds, run)
    intervals = bootstrap_intervals(ds, run, rounds=200)
    assert set(intervals) == {"ap50", "count_mae"}  # no grades in this set
    low, high = intervals["count_mae"]
    assert low <= figures["count_mae"] <= high and low < high


def test_roc_auc_counts_ties_half_and_needs_both_classes() -> None:
    from comedo.workflows.metrics import roc_auc

    assert roc_auc([0.1, 0.4, 0.35, 0.8], [False, False, True, True]) == 0.75  # the sklearn docs' example
    assert roc_auc([1, 1, 1, 1], [True, False, True, False]) == 0.5
    assert roc_auc([3, 2, 1], [True, True, True]) != roc_auc([3, 2, 1], [True, True, True])  # NaN: no negatives
