"""Lesion sizes in the document (schema 1.2): diameter_mm from the lesion's own extent (comedo.measure.lesion_size),
diameter_px beside it and size_source; documents read back keep them, older ones read with the ring's size."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from synthetic import red_bump_photo

import comedo
from comedo.schema import from_document, to_document
from comedo.schema.models import SCHEMA_VERSION


@pytest.fixture(scope="module")
def bump_photo() -> tuple[np.ndarray, float]:
    """A close-up of skin with one soft red bump of known size: (rgb, its equivalent diameter in pixels)."""
    return red_bump_photo()


def test_diameter_mm_comes_from_the_segmented_lesion(bump_photo) -> None:
    rgb, truth = bump_photo
    analysis = comedo.analyze(rgb, mm_per_px=0.1)
    doc = to_document(analysis).model_dump(mode="json")
    assert doc["schema_version"] == SCHEMA_VERSION == "1.2"
    lesion = min(doc["lesions"], key=lambda les: np.hypot(les["center"][0] - 320, les["center"][1] - 240))
    assert np.hypot(lesion["center"][0] - 320, lesion["center"][1] - 240) < 20  # the detector's ring on the bump
    assert lesion["size_source"] == "segmented"
    assert lesion["diameter_px"] == pytest.approx(truth, rel=0.1)
    assert lesion["diameter_mm"] == pytest.approx(lesion["diameter_px"] * 0.1, abs=0.01)
    assert "lesion_size" in doc["provenance"]["timings_ms"]
    assert f"about {lesion['diameter_mm']:.0f} mm across" in doc["description"]["text"]  # a given scale: no range
    back = from_document(doc, analysis.image.pixels)
    np.testing.assert_allclose(back.lesions.diameters, analysis.lesions.diameters, atol=0.01)
    assert list(back.lesions.size_source) == list(analysis.lesions.size_source)


def test_half_size_photo_gives_the_same_millimetres(bump_photo) -> None:
    rgb, _ = bump_photo
    full = to_document(comedo.analyze(rgb, mm_per_px=0.1)).model_dump(mode="json")["lesions"]
    small = cv2.resize(rgb, (320, 240), interpolation=cv2.INTER_AREA)
    half = to_document(comedo.analyze(small, mm_per_px=0.2)).model_dump(mode="json")["lesions"]
    big = max(full, key=lambda les: les["diameter_mm"])["diameter_mm"]
    assert max(half, key=lambda les: les["diameter_mm"])["diameter_mm"] == pytest.approx(big, rel=0.1)


def test_documents_before_sizes_read_with_the_ring(bump_photo) -> None:
    rgb, _ = bump_photo
    analysis = comedo.analyze(rgb)
    doc = to_document(analysis).model_dump(mode="json")
    assert all(les["diameter_mm"] is None and les["diameter_px"] > 0 for les in doc["lesions"])
    for les in doc["lesions"]:  # as written before lesion sizes
        del les["diameter_px"], les["size_source"]
    back = from_document(doc, analysis.image.pixels)
    assert set(back.lesions.size_source) <= {"ring"}
    np.testing.assert_allclose(back.lesions.diameters, 2 * back.lesions.radii)
