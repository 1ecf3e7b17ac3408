"""Training targets of the heat + side-distance detector (numpy only, no torch)."""

from __future__ import annotations

import numpy as np
import pytest

from comedo.detect.decode import decode_centres
from comedo_train.acne04 import make_targets
from comedo_train.detector_geometry import STRIDE


def _boxes_from_cells(t: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    rows, cols = np.nonzero(t["weight"][0])
    px, py = (cols + 0.5) * STRIDE, (rows + 0.5) * STRIDE
    l, tp, r, b = (t["ltrb"][c, rows, cols] for c in range(4))
    return np.stack([px - l, py - tp, px + r, py + b], axis=1), t["weight"][0, rows, cols]


def test_every_weighted_cell_reconstructs_its_box_and_weights_sum_to_one() -> None:
    box = np.array([[101.0, 97.0, 129.0, 122.0]], np.float32)
    t = make_targets(box, 256, 256)
    boxes, weights = _boxes_from_cells(t)
    assert len(boxes) >= 3  # a neighbourhood, not only the centre cell
    np.testing.assert_allclose(boxes, np.repeat(box, len(boxes), axis=0), atol=1e-4)
    assert weights.sum() == pytest.approx(1.0, abs=1e-5)
    assert (t["heat"] == 1.0).sum() == 1


def test_heat_peak_sits_in_the_cell_holding_the_centre() -> None:
    box = np.array([[40.0, 60.0, 66.0, 90.0]], np.float32)  # centre (53, 75)
    t = make_targets(box, 128, 128)
    row, col = np.unravel_index(int(np.argmax(t["heat"][0])), t["heat"][0].shape)
    assert (row, col) == (75 // STRIDE, 53 // STRIDE)


def test_smaller_box_owns_shared_cells() -> None:
    big = [80.0, 80.0, 130.0, 130.0]
    small = [98.0, 98.0, 114.0, 114.0]  # same centre region as the big one
    t = make_targets(np.array([big, small], np.float32), 256, 256)
    boxes, _ = _boxes_from_cells(t)
    at_centre = np.all(np.isclose(boxes, small, atol=1e-4), axis=1)
    assert at_centre.any()
    cy = cx = int(106 / STRIDE - 0.5 + 0.5)
    np.testing.assert_allclose(
        [(cx + 0.5) * STRIDE - t["ltrb"][0, cy, cx], (cx + 0.5) * STRIDE + t["ltrb"][2, cy, cx]],
        [small[0], small[2]], atol=1e-4)


def test_no_boxes_gives_empty_targets() -> None:
    t = make_targets(np.zeros((0, 4), np.float32), 64, 64)
    assert t["heat"].max() == 0 and t["weight"].sum() == 0


def test_decoder_reads_side_distances_back_as_the_box() -> None:
    """The exported (size, offset) form of perfect side distances decodes to the labelled box."""
    box = np.array([[101.0, 97.0, 129.0, 122.0]], np.float32)
    t = make_targets(box, 256, 256)
    l, tp, r, b = t["ltrb"]
    size = np.stack([l + r, tp + b])
    offset = 0.5 + np.stack([r - l, b - tp]) / (2 * STRIDE)
    xyxy, score = decode_centres(t["heat"][0], size, offset, stride=STRIDE, min_score=0.5)
    assert len(xyxy) == 1 and score[0] == 1.0
    np.testing.assert_allclose(xyxy[0], box[0], atol=1e-3)
