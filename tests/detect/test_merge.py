"""How the learned detector filters and merges its boxes (pure functions, no model needed)."""

from __future__ import annotations

import numpy as np

from comedo.detect.onnx_detector import (
    _add_unless_overlapping,
    heat_mass,
    keep_on_skin,
    near,
)


def _box(cx: float, cy: float, side: float = 10.0) -> list[float]:
    return [cx - side / 2, cy - side / 2, cx + side / 2, cy + side / 2]


def test_off_skin_detections_are_dropped_when_the_mask_is_plausible() -> None:
    skin = np.zeros((100, 100), bool)
    skin[:, :60] = True
    boxes = np.array([_box(20, 20), _box(30, 50), _box(40, 80), _box(90, 50)], np.float32)
    scores = np.array([0.9, 0.8, 0.7, 0.3], np.float32)  # the off-skin one is not confident
    keep, mask_holds = keep_on_skin(boxes, scores, near(skin), 0.5)
    assert keep.tolist() == [True, True, True, False] and mask_holds


def test_all_kept_when_a_third_of_confident_detections_fall_off_the_mask() -> None:
    skin = np.zeros((100, 100), bool)
    skin[:, :30] = True  # the colour model found only a sliver of the face
    boxes = np.array([_box(10, 20), _box(20, 60), _box(70, 30), _box(80, 70)], np.float32)
    scores = np.full(4, 0.9, np.float32)
    keep, mask_holds = keep_on_skin(boxes, scores, near(skin), 0.5)
    assert keep.all() and not mask_holds
    # Two confident detections are too few to overrule the mask.
    keep, mask_holds = keep_on_skin(boxes[2:], scores[2:], near(skin), 0.5)
    assert keep.tolist() == [False, False] and mask_holds


def test_coarse_boxes_join_only_where_nothing_was_found() -> None:
    base = np.array([_box(20, 20), _box(26, 20)], np.float32)  # neighbours overlap each other; both stay
    base_scores = np.array([0.9, 0.8], np.float32)
    extra = np.array([_box(23, 20, 12), _box(70, 70, 40)], np.float32)
    extra_scores = np.array([0.95, 0.5], np.float32)
    boxes, scores = _add_unless_overlapping(base, base_scores, extra, extra_scores, 0.3)
    assert len(boxes) == 3
    assert scores.tolist() == sorted(scores.tolist(), reverse=True)
    assert any(np.allclose(b, _box(70, 70, 40)) for b in boxes)
    assert not any(np.allclose(b, _box(23, 20, 12)) for b in boxes)


def test_heat_mass_sums_the_heatmap_on_skin_above_its_floor() -> None:
    heat = np.zeros((10, 10), np.float32)  # cells of 4 px over a 40 x 40 photo
    heat[2, 2], heat[2, 3], heat[7, 8] = 0.9, 0.3, 0.6
    heat[5, 5] = 0.04  # under the floor: background
    assert heat_mass(heat, None, 4.0) == np.float32(0.9) + np.float32(0.3) + np.float32(0.6)
    skin = np.zeros((40, 40), bool)
    skin[:, :20] = True  # the cell at column 8 (x 34) is off skin
    assert abs(heat_mass(heat, skin, 4.0) - 1.2) < 1e-6
    # A photo twice the detector's input: each cell spans 8 of its pixels.
    big_skin = np.zeros((80, 80), bool)
    big_skin[:, 60:] = True
    assert abs(heat_mass(heat, big_skin, 8.0) - 0.6) < 1e-6
