"""Dark spots stay on the face's skin: none outside the skin mask, none on the lips, eyes or brows, none on the upper
lip's stubble, the ear or clothes (issue 33: the sample's 228 dots included the wardrobe, the ear, the lips, stubble
and the sweater)."""

from __future__ import annotations

import cv2
import numpy as np

import comedo
from comedo.face.zones import EXCLUDED
from comedo.measure.darkspots import find_dark_spots, spots_inside
from comedo.types import DarkSpots


def test_spots_inside_keeps_only_dots_whose_disc_lies_in_the_allowed_area() -> None:
    allowed = np.zeros((100, 100), bool)
    allowed[20:80, 20:80] = True
    spots = DarkSpots(np.array([[50, 50], [10, 10], [79, 50], [75, 50]], np.float32),
                      np.array([3, 2, 4, 3], np.float32), np.ones(4, np.float32))
    kept = spots_inside(spots, allowed)
    np.testing.assert_array_equal(kept.centers, [[50, 50], [75, 50]])  # outside; half its disc out; inside
    assert len(spots_inside(DarkSpots.empty(), allowed)) == 0


def _deepest(polygon: np.ndarray, shape: tuple[int, int]) -> tuple[int, int]:
    """The pixel farthest inside a landmark polygon (its vertices' mean can fall outside a curved brow)."""
    mask = np.zeros(shape, np.uint8)
    cv2.fillPoly(mask, [np.round(polygon).astype(np.int32)], 1)
    dist = cv2.distanceTransform(mask, cv2.DIST_L2, 3)
    y, x = np.unravel_index(int(np.argmax(dist)), shape)
    return int(x), int(y)


def test_synthetic_face_dots_on_lips_eyes_and_brows_are_dropped(sample_path) -> None:
    # The sample with dark dots painted on its cheek (kept) and on the mesh's lips, eyes and brows (dropped).
    photo = comedo.load_image(sample_path).pixels.copy()
    first = comedo.analyze(photo)
    assert first.face is not None and first.face.found
    inv = 1.0 / first.analysis_scale
    pts = first.face.mesh.points[:, :2] * inv
    cheek = first.face.zones.masks["right_cheek"]
    ys, xs = np.nonzero(cheek)
    cheek_dot = (int(np.median(xs) * inv), int(np.median(ys) * inv))
    off_face = {name: _deepest(pts[list(idx)], photo.shape[:2]) for name, idx in EXCLUDED.items()
                if name in ("lips", "right_eye", "right_brow", "left_eye")}
    for x, y in (cheek_dot, *off_face.values()):
        cv2.circle(photo, (x, y), 3, (70, 45, 40), -1)
    analysis = comedo.analyze(photo)
    centres, zones = analysis.dark_spots.centers, analysis.face.zones
    assert np.hypot(*(centres - np.array(cheek_dot)).T).min() < 3  # the cheek's dot is found
    s = analysis.analysis_scale
    for x, y in centres * s:  # and every dot lies on skin, outside the lips, eyes, brows and nostrils
        xi, yi = int(round(x)), int(round(y))
        assert analysis.skin.mask[yi, xi] and not zones.excluded[yi, xi], (x, y)
    for name, (x, y) in off_face.items():
        assert np.hypot(*(centres - np.array([x, y])).T).min() > 4, name


def test_the_sample_keeps_no_dot_off_the_face() -> None:
    # Without the face's landmarks, every dot on skin counts; on the sample over a third of them were on the ear,
    # stubble, lips, sweater or wardrobe.
    from paths import REPO

    analysis = comedo.analyze(REPO / "src" / "comedo" / "samples" / "face_acne04.jpg")
    s = analysis.analysis_scale
    allowed = analysis.face.zones.skin_of_face(analysis.skin.mask)
    on_face = [bool(allowed[int(round(y * s)), int(round(x * s))]) for x, y in analysis.dark_spots.centers]
    assert all(on_face) and len(on_face) > 50
    all_on_skin = find_dark_spots(comedo.measure.colour.colour_planes(
        comedo.pipeline.analysis_pixels(analysis.image.pixels)[0]).lightness, analysis.skin.mask)
    assert len(analysis.dark_spots) < 0.7 * len(all_on_skin)
