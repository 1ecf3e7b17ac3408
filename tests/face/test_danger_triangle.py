"""The danger triangle on frontal and turned faces: it holds the nose tip, the nose's wings and both nasolabial
folds (issue 33: on a three-quarter view its side ran along the side of the nose, and the nose's pustule was left
out)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from paths import TEST_DATA

from comedo.face.facemap import map_face
from comedo.face.zones import danger_triangle
from comedo.io import load_image
from comedo.measure.colour import colour_planes
from comedo.measure.skin import segment_skin
from comedo.pipeline import analysis_pixels

NOSE_TIP = (1, 4)
NOSE_WINGS = (98, 327, 129, 358)
FOLDS = (92, 206, 203, 322, 426, 423)  # right fold, then left: the cheeks' inner edges from the wing to the mouth


def _turned(rgb: np.ndarray, degrees: float, mirror: bool) -> np.ndarray:
    h, w = rgb.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    out = cv2.warpAffine(rgb, m, (w, h), borderMode=cv2.BORDER_REFLECT_101)
    return np.ascontiguousarray(out[:, ::-1]) if mirror else out


@pytest.mark.parametrize("photo", ["sample", "other_face.jpg"])  # a three-quarter view; a nearly frontal one
@pytest.mark.parametrize("degrees", [-8.0, 0.0, 8.0])
@pytest.mark.parametrize("mirror", [False, True])
def test_the_triangle_holds_the_nose_and_both_folds(sample_path, photo: str, degrees: float, mirror: bool) -> None:
    path = sample_path if photo == "sample" else TEST_DATA / photo
    work, _ = analysis_pixels(_turned(load_image(path).pixels, degrees, mirror))
    face = map_face(work, segment_skin(colour_planes(work)).mask, close_up=False)
    assert face.found
    triangle = face.zones.triangle.reshape(-1, 1, 2)
    assert triangle.shape == (3, 1, 2)
    pts = face.mesh.points[:, :2]
    outside = [i for i in (*NOSE_TIP, *NOSE_WINGS, *FOLDS)
               if cv2.pointPolygonTest(triangle, (float(pts[i, 0]), float(pts[i, 1])), False) < 0]
    assert not outside, f"landmarks {outside} outside the triangle {face.zones.triangle.tolist()}"
    # Its apex stays on the nasion, and it is no wider than it needs: the eyes' outer corners stay outside.
    np.testing.assert_allclose(face.zones.triangle[0], pts[168], atol=0.5)
    for eye_corner in (33, 263):
        assert cv2.pointPolygonTest(triangle, (float(pts[eye_corner, 0]), float(pts[eye_corner, 1])), False) < 0


def test_a_frontal_symmetric_mesh_gives_the_plain_triangle_a_little_wider() -> None:
    # A mesh whose held points all lie inside nasion-mouth-corner triangle keeps its corners on that triangle's
    # sides (widened by the margin only).
    rng = np.random.default_rng(0)
    pts = np.zeros((468, 3), np.float32)
    pts[:, :2] = rng.uniform(95, 105, (468, 2))  # everything near the middle of the triangle
    pts[168, :2], pts[61, :2], pts[291, :2] = (100, 40), (70, 140), (130, 140)
    tri = danger_triangle(pts)
    assert tri.shape == (3, 2) and np.allclose(tri[0], (100, 40))
    assert np.all(np.abs(tri[1:, 1] - 142) < 1.0)  # the base on the mouth line, 2 % lower
    lo, hi = sorted(tri[1:, 0])
    assert 62 < lo < 70 and 130 < hi < 138
