"""Lesion sizes from the lesion's own extent (comedo.measure.lesion_size) on synthetic lesions of known size."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from comedo.measure.colour import colour_planes
from comedo.measure.lesion_size import lesion_outlines, measure_lesion_sizes
from tests.synthetic import add_dots, add_red_patch, lab_to_rgb, skin_scene


def _drawn_diameter(radius: float) -> float:
    """The equivalent diameter of the disc cv2.circle draws with this radius (the ground truth drawn)."""
    disc = np.zeros((80, 80), np.uint8)
    cv2.circle(disc, (40, 40), int(round(radius)), 1, -1)
    return 2 * float(np.sqrt(disc.sum() / np.pi))


@pytest.mark.parametrize("tone", ["light", "medium", "dark"])
def test_dark_plugs_measured_inside_rings_of_2_5_plug_radii(tone: str) -> None:
    scene = add_dots(skin_scene(tone=tone, seed=3), 12, radius=(2.0, 7.0), darken=25.0, seed=4, min_gap=30)
    planes = colour_planes(scene.rgb)
    centers = np.array([(x, y) for x, y, _ in scene.dots], np.float32)
    truth = np.array([_drawn_diameter(r) for _, _, r in scene.dots])
    rings = np.array([2.5 * r for _, _, r in scene.dots], np.float32)  # as comedo.detect.plugs rings them
    diameters, segmented = measure_lesion_sizes(planes, centers, rings, baseline_a=float("nan"))
    assert segmented.all()
    err = np.abs(diameters - truth)
    assert (err <= np.maximum(0.15 * truth, 1.2)).all(), list(zip(truth.round(1), diameters.round(1), strict=True))
    assert (2 * rings > 1.8 * truth).all()  # the ring alone would have over-stated every one


@pytest.mark.parametrize(("radius", "ring_factor"), [(6, 1.3), (10, 1.2), (15, 1.4), (24, 1.1)])
def test_red_bumps_measured_against_the_baseline(radius: float, ring_factor: float) -> None:
    scene = skin_scene(tone="medium", seed=5)
    lab = cv2.cvtColor(scene.rgb.astype(np.float32) / 255, cv2.COLOR_RGB2Lab)
    bump = np.zeros(scene.skin.shape, np.float32)
    cv2.circle(bump, (300, 240), radius, 1.0, -1)
    bump = cv2.GaussianBlur(bump, (0, 0), 1.5)  # a soft edge, as a papule's
    lab[..., 1] += 9.0 * bump
    planes = colour_planes(lab_to_rgb(lab))
    diameters, segmented = measure_lesion_sizes(planes, np.array([[300, 240]], np.float32),
                                                np.array([radius * ring_factor], np.float32), baseline_a=15.0)
    truth = _drawn_diameter(radius)
    assert segmented[0]
    assert abs(float(diameters[0]) - truth) <= max(0.12 * truth, 1.2), (truth, diameters[0])


def test_pustule_head_inside_its_red_rim_counts_as_the_lesion() -> None:
    scene = add_red_patch(skin_scene(tone="light", seed=6), 320, 240, 12, 10.0)
    lab = cv2.cvtColor(scene.rgb.astype(np.float32) / 255, cv2.COLOR_RGB2Lab)
    head = np.zeros(scene.skin.shape, np.uint8)
    cv2.circle(head, (320, 240), 5, 1, -1)
    lab[..., 1][head > 0] = 2.0  # a pale yellow-white head, no redness in it
    lab[..., 0][head > 0] = 85.0
    planes = colour_planes(lab_to_rgb(lab))
    d, ok = measure_lesion_sizes(planes, np.array([[320, 240]], np.float32), np.array([16], np.float32),
                                 baseline_a=14.0)
    assert ok[0] and abs(float(d[0]) - _drawn_diameter(12)) <= 2.5


def test_falls_back_to_the_ring_where_nothing_stands_out_or_it_leaks() -> None:
    scene = skin_scene(tone="light", seed=7)
    scene = add_red_patch(scene, 400, 240, 60, 9.0)  # a flushed area far larger than the ring put on it
    planes = colour_planes(scene.rgb)
    centers = np.array([[150, 240], [400, 240]], np.float32)
    rings = np.array([8.0, 10.0], np.float32)
    d, ok = measure_lesion_sizes(planes, centers, rings, baseline_a=14.0)
    assert not ok.any()
    np.testing.assert_allclose(d, 2 * rings)
    assert lesion_outlines(planes, centers, rings, baseline_a=14.0) == [None, None]


def test_outline_is_what_is_measured_and_empty_input_is_empty() -> None:
    scene = add_dots(skin_scene(seed=8), 1, radius=(5.0, 5.0), seed=9)
    planes = colour_planes(scene.rgb)
    x, y, r = scene.dots[0]
    d, ok = measure_lesion_sizes(planes, np.array([[x, y]], np.float32), np.array([2.5 * r], np.float32),
                                 baseline_a=float("nan"))
    (outline,) = lesion_outlines(planes, np.array([[x, y]], np.float32), np.array([2.5 * r], np.float32),
                                 baseline_a=float("nan"))
    assert ok[0] and outline is not None
    drawn = np.zeros(planes.lightness.shape, np.uint8)
    cv2.fillPoly(drawn, [np.round(outline).astype(np.int32)], 1)
    assert abs(2 * np.sqrt(drawn.sum() / np.pi) - float(d[0])) <= 0.1 * float(d[0])  # drawn back on the grid
    assert np.hypot(*(outline.mean(axis=0) - (x, y))) < 1.0
    d0, ok0 = measure_lesion_sizes(planes, np.zeros((0, 2)), np.zeros(0), baseline_a=14.0)
    assert d0.shape == (0,) and ok0.shape == (0,)
    with pytest.raises(ValueError, match="same length"):
        measure_lesion_sizes(planes, np.zeros((2, 2)), np.zeros(1), baseline_a=14.0)
