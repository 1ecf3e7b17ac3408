"""Skin, dark spots and redness against synthetic ground truth.

Figures asserted here (and reported in docs/accuracy.md): on 480x640 scenes with
25 dots of radius 1.5-4 px darkened by 25 L*, dark-spot recall and precision
are 1.0 at a 3 px centre tolerance; a patch 6 a* units redder than the skin is
measured at 6 +- 0.75 on light, medium and dark skin tones.
"""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest
from synthetic import TONES, Scene, add_dots, add_red_patch, skin_scene

from comedo.measure.colour import colour_planes
from comedo.measure.darkspots import find_dark_spots
from comedo.measure.redness import halo_delta_a, irritation_grade, measure_redness, smoothed_a_star
from comedo.measure.skin import chroma_gain, segment_skin
from comedo.types import IrritationGrade


def _match(found_centers: np.ndarray, truth: list[tuple[float, float, float]], tol: float = 3.0) -> int:
    hits = 0
    for x, y, _ in truth:
        if len(found_centers) and np.min(np.hypot(found_centers[:, 0] - x, found_centers[:, 1] - y)) <= tol:
            hits += 1
    return hits


@pytest.mark.parametrize("tone", list(TONES))
def test_skin_mask_matches_drawn_skin(tone: str) -> None:
    scene = skin_scene(tone=tone)
    mask = segment_skin(colour_planes(scene.rgb)).mask
    iou = (mask & scene.skin).sum() / (mask | scene.skin).sum()
    assert iou > 0.97


@pytest.mark.parametrize("background", [(128, 128, 128), (40, 60, 200), (20, 18, 16), (250, 250, 250)],
                         ids=["metal-grey", "blue-glove", "dark-hair", "white-cloth"])
def test_skin_mask_leaves_out_non_skin_colours(background: tuple[int, int, int]) -> None:
    scene = skin_scene(background=background, margin=120)
    mask = segment_skin(colour_planes(scene.rgb)).mask
    assert (mask & ~scene.skin).sum() / (~scene.skin).sum() < 0.01


@pytest.mark.parametrize("background", [(128, 128, 128), (235, 235, 230)], ids=["grey", "white-wall"])
def test_skin_mask_of_a_desaturated_photo(background: tuple[int, int, int]) -> None:
    # Skin at 35 % of its chroma (C*ab about 8) falls under the fixed chroma floor;
    # the stretch for desaturated photos must bring the skin back, not the grey around it.
    scene = skin_scene(tone="light", saturation=0.35, background=background, margin=100)
    planes = colour_planes(scene.rgb)
    mask = segment_skin(planes).mask
    assert (mask & scene.skin).sum() / (mask | scene.skin).sum() > 0.95
    assert (mask & ~scene.skin).sum() / (~scene.skin).sum() < 0.01


@pytest.mark.parametrize("tone", list(TONES))
def test_ordinary_photos_are_not_stretched(tone: str) -> None:
    planes = colour_planes(skin_scene(tone=tone).rgb)
    assert chroma_gain(np.hypot(planes.a_star, planes.b_star), planes.lightness) == 1.0


def test_red_lesion_inside_skin_stays_in_mask() -> None:
    scene = add_red_patch(skin_scene(), 300, 240, 30, 18.0)
    mask = segment_skin(colour_planes(scene.rgb)).mask
    disc = np.zeros(mask.shape, np.uint8)
    cv2.circle(disc, (300, 240), 25, 1, -1)
    assert mask[disc > 0].mean() > 0.99


@pytest.mark.parametrize("tone", list(TONES))
def test_dark_spot_recall_and_precision(tone: str) -> None:
    scene = add_dots(skin_scene(tone=tone, seed=3), 25, seed=4)
    planes = colour_planes(scene.rgb)
    spots = find_dark_spots(planes.lightness, scene.skin)
    hits = _match(spots.centers, scene.dots)
    recall = hits / len(scene.dots)
    precision = hits / max(len(spots), 1)
    assert recall >= 0.95 and precision >= 0.95, (recall, precision)
    # Radii within 1.5 px of the drawn radius.
    for x, y, r in scene.dots:
        i = int(np.argmin(np.hypot(spots.centers[:, 0] - x, spots.centers[:, 1] - y)))
        assert abs(spots.radii[i] - r) < 1.5


def test_no_dark_spots_on_plain_skin() -> None:
    scene = skin_scene(seed=5)
    spots = find_dark_spots(colour_planes(scene.rgb).lightness, scene.skin)
    assert len(spots) == 0
    assert spots.centers.shape == (0, 2)


@pytest.mark.parametrize("tone", list(TONES))
def test_redness_is_relative_to_own_skin(tone: str) -> None:
    scene = add_red_patch(skin_scene(tone=tone), 300, 240, 40, 6.0)
    planes = colour_planes(scene.rgb)
    red, _ = measure_redness(planes, scene.skin)
    assert abs(red.baseline_a - TONES[tone][1]) < 1.0
    disc = np.zeros(scene.skin.shape, np.uint8)
    cv2.circle(disc, (300, 240), 30, 1, -1)
    assert abs(float(np.nanmean(red.delta_map[disc > 0])) - 6.0) < 0.75


def test_uniform_ruddy_skin_is_not_irritated() -> None:
    # A ruddy complexion (a* 24) with no local redness must grade "none".
    scene = skin_scene()
    lab = cv2.cvtColor(scene.rgb.astype(np.float32) / 255, cv2.COLOR_RGB2Lab)
    lab[..., 1] += 10
    rgb = np.clip(cv2.cvtColor(lab, cv2.COLOR_Lab2RGB) * 255 + 0.5, 0, 255).astype(np.uint8)
    red, _ = measure_redness(colour_planes(rgb), scene.skin)
    assert red.grade is IrritationGrade.NONE
    assert red.baseline_a > 20


def test_lesion_redness_per_lesion() -> None:
    scene = add_red_patch(skin_scene(), 300, 240, 20, 9.0)
    planes = colour_planes(scene.rgb)
    _, per_lesion = measure_redness(planes, scene.skin, lesion_centers=np.array([[300, 240], [150, 150]]),
                                    lesion_radii=np.array([12.0, 12.0]))
    assert irritation_grade(per_lesion[0]) is IrritationGrade.MARKED
    assert irritation_grade(per_lesion[1]) is IrritationGrade.NONE


def test_a_red_halo_is_told_from_a_pink_bump() -> None:
    """A pink bump (its own disc red, the skin around it not) has no red halo; a spot inside a wide red patch
    (perilesional redness) has one."""
    scene = add_red_patch(skin_scene(), 300, 240, 10, 9.0)  # a pink whitehead-like bump of radius 10
    scene = add_red_patch(scene, 150, 150, 30, 9.0)  # redness spreading around a spot of radius 10
    planes = colour_planes(scene.rgb)
    red, per_lesion = measure_redness(planes, scene.skin, lesion_centers=np.array([[300, 240], [150, 150]]),
                                      lesion_radii=np.array([10.0, 10.0]))
    a_star = smoothed_a_star(planes)
    halo = halo_delta_a(a_star, scene.skin, np.array([[300, 240], [150, 150]]), np.array([10.0, 10.0]), red.baseline_a)
    assert per_lesion[0] >= 5.0  # the bump itself is red
    assert irritation_grade(halo[0]) is IrritationGrade.NONE and halo[1] >= 5.0  # a red ring: moderate or more
    assert np.isnan(halo_delta_a(a_star, np.zeros_like(scene.skin), np.array([[300, 240]]), np.array([10.0]),
                                 red.baseline_a)[0])  # no skin around it: not measured


def _face_with_lips_and_inflamed_patch() -> Scene:
    scene = add_red_patch(skin_scene(), 420, 330, 30, 14.0, darken=20.0)  # lips: red and much darker, no lesion
    return add_red_patch(scene, 200, 200, 35, 7.0)  # inflamed skin: red, not darker


def test_wider_view_leaves_lesion_free_dark_red_regions_out() -> None:
    scene = _face_with_lips_and_inflamed_patch()
    planes = colour_planes(scene.rgb)
    whole, _ = measure_redness(planes, scene.skin)
    red, _ = measure_redness(planes, scene.skin, leave_out_anatomy=True)
    assert whole.anatomy_fraction == 0.0
    lips_area = math.pi * 30**2 / scene.skin.sum()
    assert 0.7 * lips_area < red.anatomy_fraction < 1.3 * lips_area
    assert np.isnan(red.delta_map[330, 420]) and abs(red.delta_map[200, 200] - 7.0) < 1.0
    assert red.delta_p90 <= whole.delta_p90 and red.inflamed_fraction < whole.inflamed_fraction
    assert red.inflamed_fraction > 0.5 * math.pi * 35**2 / scene.skin.sum()


def test_dark_red_region_holding_a_lesion_is_kept() -> None:
    scene = _face_with_lips_and_inflamed_patch()
    red, per_lesion = measure_redness(colour_planes(scene.rgb), scene.skin, lesion_centers=np.array([[425.0, 335.0]]),
                                      lesion_radii=np.array([6.0]), leave_out_anatomy=True)
    assert red.anatomy_fraction == 0.0 and np.isfinite(red.delta_map[330, 420])
    assert irritation_grade(per_lesion[0]) is IrritationGrade.MARKED


@pytest.mark.parametrize(("delta", "grade"), [(0.0, "none"), (2.4, "none"), (2.5, "slight"), (4.9, "slight"),
                                              (5.0, "moderate"), (7.99, "moderate"), (8.0, "marked"),
                                              (float("nan"), "none")])
def test_irritation_thresholds(delta: float, grade: str) -> None:
    assert irritation_grade(delta).value == grade


def test_no_skin_gives_nan_baseline_not_error() -> None:
    rgb = np.full((100, 100, 3), (40, 60, 200), np.uint8)
    planes = colour_planes(rgb)
    mask = segment_skin(planes).mask
    assert not mask.any()
    red, _ = measure_redness(planes, mask)
    assert np.isnan(red.baseline_a) and red.grade is IrritationGrade.NONE
