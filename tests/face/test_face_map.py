"""The face map on real photos: landmarks found and mapped back through rotations, zones where a face is, none on
close-ups or photos without a face, the danger triangle from the photo in the advice, GAGS in the document."""

from __future__ import annotations

import numpy as np
import pytest

import comedo
from comedo.detect.base import Candidates
from comedo.face.facemap import map_face
from comedo.face.zones import ZONE_NAMES
from comedo.io import load_image
from comedo.lesions import Lesions
from comedo.measure.colour import colour_planes
from comedo.measure.skin import segment_skin
from comedo.pipeline import analysis_pixels
from comedo.schema import to_document


@pytest.fixture(scope="module")
def sample_work(sample_path):
    work, _ = analysis_pixels(load_image(sample_path).pixels)
    return work, segment_skin(colour_planes(work)).mask


def test_the_sample_face_is_mapped(sample_work) -> None:
    work, skin = sample_work
    face = map_face(work, skin, close_up=False)
    assert face.found and face.rotation == 0
    h, w = work.shape[:2]
    pts = face.mesh.points
    assert pts.shape == (468, 3)
    inside = (pts[:, 0] > -0.1 * w) & (pts[:, 0] < 1.1 * w) & (pts[:, 1] > -0.1 * h) & (pts[:, 1] < 1.1 * h)
    assert inside.mean() > 0.9
    assert set(face.zones.masks) == set(ZONE_NAMES)
    assert face.zones.visible["right_cheek"] and face.zones.visible["nose"]
    assert face.zones.masks["right_cheek"].sum() > face.zones.masks["nose"].sum()  # a side view of the right cheek


@pytest.mark.parametrize("k", [1, 2, 3])
def test_a_turned_photo_is_mapped_back_to_the_same_landmarks(sample_work, k: int) -> None:
    work, skin = sample_work
    upright = map_face(work, skin, close_up=False).mesh.points[:, :2]
    turned = np.ascontiguousarray(np.rot90(work, k))
    face = map_face(turned, np.ascontiguousarray(np.rot90(skin, k)), close_up=False)
    assert face.found and face.rotation == (4 - k) % 4
    # Undo the turn on the found points: they should sit where the upright search put them.
    h, w = work.shape[:2]
    back = face.mesh.points[:, :2].copy()
    x, y = back[:, 0].copy(), back[:, 1].copy()
    if k == 1:  # np.rot90 once: original (x, y) is at (y, w - 1 - x)
        back[:, 0], back[:, 1] = w - 1 - y, x
    elif k == 2:
        back[:, 0], back[:, 1] = w - 1 - x, h - 1 - y
    else:
        back[:, 0], back[:, 1] = y, h - 1 - x
    face_size = np.ptp(upright, axis=0).max()
    assert np.median(np.linalg.norm(back - upright, axis=1)) < 0.05 * face_size


def test_close_ups_and_faceless_photos_get_no_face_map(sample_work) -> None:
    work, skin = sample_work
    assert map_face(work, skin, close_up=True).reason == "close_up"
    plain = np.full((400, 400, 3), (200, 150, 130), np.uint8)
    face = map_face(plain, np.ones((400, 400), bool), close_up=False)
    assert not face.found and face.reason == "no_face"


def test_the_document_has_zones_gags_and_each_lesions_zone(sample_path) -> None:
    doc = to_document(comedo.analyze(sample_path)).model_dump(mode="json")
    face = doc["face"]
    assert face["found"] and len(face["landmarks"]) == 468 and len(face["danger_triangle"]) == 3
    assert [z["name"] for z in face["zones"]] == list(ZONE_NAMES)
    assert sum(z["lesions"] for z in face["zones"]) == sum(le["zone"] in ZONE_NAMES for le in doc["lesions"])
    assert all(le["zone"] in (*ZONE_NAMES, "other") for le in doc["lesions"])
    hidden = [z for z in face["zones"] if not z["visible"]]
    assert hidden and all(z["redness_delta_a_p90"] is None for z in hidden)  # the side view's far cheek
    gags = doc["severity"]["gags"]
    assert gags is not None and 0 <= gags["score"] <= 32
    assert gags["not_scored"] == ["chest", "upper_back"]
    assert gags["score"] == sum(t["term"] for t in gags["terms"])
    for term in gags["terms"]:
        if not term["visible"]:
            assert term["term"] == 0 and term["zone"] in gags["not_visible"]


class _OneLesionAt:
    """A detector that finds one lesion at a given place on the analysis grid (to put it in the triangle)."""

    name = "one-lesion"
    default_min_score = 0.5
    hayashi_upper = (5, 20, 50)

    def __init__(self, x: float, y: float, r: float) -> None:
        self.x, self.y, self.r = x, y, r

    @property
    def identity(self) -> dict[str, str]:
        return {"name": self.name, "sha256": "-"}

    def detect(self, rgb, planes, skin, *, min_score, close_up=False) -> Candidates:
        box = np.array([[self.x - self.r, self.y - self.r, self.x + self.r, self.y + self.r]], np.float32)
        return Candidates(Lesions(box, np.array([0.9], np.float32)))


def test_a_lesion_seen_in_the_danger_triangle_changes_the_advice_without_answers(sample_path, sample_work) -> None:
    work, skin = sample_work
    triangle = map_face(work, skin, close_up=False).zones.triangle
    cx, cy = triangle.mean(axis=0)
    analysis = comedo.analyze(sample_path, detector=_OneLesionAt(float(cx), float(cy), 6.0))
    assert bool(analysis.lesions.in_danger_triangle[0])
    doc = to_document(analysis).model_dump(mode="json")
    assert doc["lesions"][0]["in_danger_triangle"] and doc["face"]["lesions_in_danger_triangle"] == 1
    reasons = {r["code"]: r for r in doc["triage"]["reasons"]}
    assert "inflamed_danger_triangle" in reasons
    assert "Seen in the photo" in reasons["inflamed_danger_triangle"]["text"]
    assert reasons["inflamed_danger_triangle"]["evidence"]["seen_in_photo"]["lesions"] == 1
    assert doc["extraction"]["advice"] == "do_not_extract"
    # Schema 1.2 (issue 32): the extraction reason names the lesion by number, with a code and evidence.
    seen = next(r for r in doc["extraction"]["reasons"] if r["code"] == "danger_triangle_seen")
    assert seen["evidence"] == {"lesions": [1]} and "lesion 1" in seen["text"]
    assert doc["lesions"][0]["advice"] == "do_not_extract" and "danger triangle" in doc["lesions"][0]["advice_why"]
    # With a fever it is a reason to see a doctor soon, from the photo's triangle alone (no location answered).
    febrile = to_document(comedo.analyze(sample_path, detector=_OneLesionAt(float(cx), float(cy), 6.0),
                                         answers={"fever": True})).model_dump(mode="json")
    assert "infected_danger_triangle" in {r["code"] for r in febrile["triage"]["reasons"]}
