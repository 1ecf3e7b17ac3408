"""A zone's coverage (the share in view) and a lesion's zone by its disc (issue 33: the face map moved when the
face turned a little): hand-drawn zones and the bundled sample turned 6 degrees."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

import comedo
from comedo.face.zones import PARTIAL_COVERAGE, ZONE_NAMES, FaceZones, in_frame, zone_of_points
from comedo.schema import from_document, to_document


def test_in_frame_is_the_share_of_the_outline_inside_the_frame() -> None:
    square = np.array([[-50, 0], [50, 0], [50, 100], [-50, 100]], np.float32)  # half left of the frame
    assert in_frame(square, (200, 200)) == pytest.approx(0.5)
    assert in_frame(square + [100, 0], (200, 200)) == pytest.approx(1.0)
    assert in_frame(square - [200, 0], (200, 200)) == 0.0
    diamond = np.array([[100, -50], [150, 0], [100, 50], [50, 0]], np.float32)  # the top half above the frame
    assert in_frame(diamond, (200, 200)) == pytest.approx(0.5)


def _two_zones() -> FaceZones:
    """The forehead the top-left quarter of a 100 x 100 grid, the right cheek the L around it."""
    shape = (100, 100)
    masks = {n: np.zeros(shape, bool) for n in ZONE_NAMES}
    masks["forehead"][:50, :50] = True
    masks["right_cheek"] = ~masks["forehead"]
    box = {"forehead": [[0, 0], [49, 0], [49, 49], [0, 49]],
           "right_cheek": [[50, 0], [99, 0], [99, 99], [0, 99], [0, 50], [50, 50]]}
    polygons = {n: np.array(box.get(n, [[0, 0], [0, 0], [0, 0]]), np.float32) for n in ZONE_NAMES}
    return FaceZones(masks, polygons, {n: True for n in ZONE_NAMES}, np.zeros(shape, bool),
                     np.array([[0, 0], [1, 0], [0, 1]], np.float32))


def test_a_lesion_belongs_to_the_zone_holding_most_of_its_disc() -> None:
    zones = _two_zones()
    points = np.array([[48.0, 48.0], [48.0, 48.0], [20.0, 20.0]], np.float32)  # two centres by the corner
    assert zone_of_points(zones, points)[0] == ["forehead"] * 3
    names, _ = zone_of_points(zones, points, np.array([8.0, 1.5, 8.0], np.float32))
    assert names == ["right_cheek", "forehead", "forehead"]  # the first's disc lies mostly on the cheek's L


@pytest.fixture(scope="module")
def turned(sample_path):
    """The sample and a copy turned 6 degrees (corners filled by reflection) and cropped 20 px each side."""
    rgb = comedo.load_image(sample_path).pixels
    h, w = rgb.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), -6.0, 1.0)
    copy = cv2.warpAffine(rgb, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT_101)
    return comedo.analyze(rgb), comedo.analyze(np.ascontiguousarray(copy[20:-20, 20:-20]))


def test_the_turned_sample_keeps_its_grade_and_says_which_zones_are_cut(turned) -> None:
    first, second = turned
    for a in (first, second):
        coverage = a.face.coverage
        assert set(coverage) == set(ZONE_NAMES) and all(0.0 <= v <= 1.0 for v in coverage.values())
        assert not a.face.visible["left_cheek"] and coverage["left_cheek"] < 0.35  # turned away
        partly = tuple(n for n in ZONE_NAMES if a.face.visible[n] and coverage[n] < PARTIAL_COVERAGE)
        assert a.severity.gags.partly_seen == partly
    assert second.face.coverage["forehead"] < first.face.coverage["forehead"]  # cropped: its top leaves the frame
    assert abs(first.severity.gags.score - second.severity.gags.score) <= 1
    cheek = [sum(z == "right_cheek" for z in a.lesions.zone) for a in (first, second)]
    assert abs(cheek[0] - cheek[1]) <= 0.3 * max(cheek)


def test_coverage_and_partly_seen_are_in_the_document_and_read_back(turned) -> None:
    second = turned[1]
    doc = to_document(second).model_dump(mode="json")
    zones = {z["name"]: z for z in doc["face"]["zones"]}
    assert zones["forehead"]["coverage"] == pytest.approx(second.face.coverage["forehead"], abs=1e-3)
    assert doc["severity"]["gags"]["partly_seen"] == list(second.severity.gags.partly_seen)
    back = from_document(doc, second.image.pixels)
    assert back.face.coverage["forehead"] == pytest.approx(zones["forehead"]["coverage"])
    assert back.severity.gags.partly_seen == second.severity.gags.partly_seen
