"""The photo's scale in the analysis and its document: a ruler in frame gives image.scale (source ruler) and every
lesion's diameter_mm; --mm-per-px wins over the ruler; documents read back keep the scale, and a document written
before 1.2 (no image.scale) reads with none."""

from __future__ import annotations

import pytest
from synthetic_rulers import ruler_photo

import comedo
from comedo.schema import from_document, to_document


@pytest.fixture(scope="module")
def ruler_close_up():
    return ruler_photo(size=(640, 640), px_per_mm=12.0, angle_deg=20.0, style="white", seed=11)


def test_a_ruler_in_frame_gives_millimetres(ruler_close_up) -> None:
    rgb, truth = ruler_close_up
    analysis = comedo.analyze(rgb)
    doc = to_document(analysis).model_dump(mode="json")
    scale = doc["image"]["scale"]
    assert scale is not None and scale["source"] == "ruler"
    assert scale["mm_per_px"] == pytest.approx(truth, rel=0.03)
    assert doc["image"]["mm_per_px"] == scale["mm_per_px"]
    assert scale["uncertainty_pct"] >= 2.0 and scale["evidence"]["unit"] == "mm"
    assert doc["lesions"]  # the drawn bump
    assert "scale" in doc["provenance"]["timings_ms"]
    for lesion in doc["lesions"]:
        assert lesion["diameter_mm"] == pytest.approx(lesion["diameter_px"] * scale["mm_per_px"], abs=0.01)
    back = from_document(doc, analysis.image.pixels)
    assert back.scale == analysis.scale


def test_the_given_scale_wins_over_the_ruler(ruler_close_up) -> None:
    rgb, _ = ruler_close_up
    doc = to_document(comedo.analyze(rgb, mm_per_px=0.2)).model_dump(mode="json")
    assert doc["image"]["scale"] == {"mm_per_px": 0.2, "source": "given", "uncertainty_pct": None, "evidence": {}}
    assert doc["image"]["mm_per_px"] == 0.2
    assert "scale" not in doc["provenance"]["timings_ms"]  # no ruler searched


def test_no_scale_without_a_ruler_and_older_documents_read_with_none(sample_path) -> None:
    analysis = comedo.analyze(sample_path)
    doc = to_document(analysis).model_dump(mode="json")
    assert doc["image"]["scale"] is None and doc["image"]["mm_per_px"] is None
    assert all(lesion["diameter_mm"] is None for lesion in doc["lesions"])
    del doc["image"]["scale"]  # as written before 1.2
    doc["schema_version"] = "1.1"
    assert from_document(doc, analysis.image.pixels).scale is None
