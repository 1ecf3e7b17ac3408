"""Stored documents read back: ``from_document`` returns what ``to_document`` wrote, reads 1.0 documents, and the
session report compares stored analyses without running ``analyze`` again."""

from __future__ import annotations

import copy
import sys
from pathlib import Path

import numpy as np
import pytest
from paths import REPO

import comedo
from comedo.errors import InvalidInputError
from comedo.schema import from_document, to_document
from comedo.store.repository import Store

sys.path.insert(0, str(REPO / "scripts"))
from document_snapshot import differences  # noqa: E402

GEOMETRY = (".center", ".radius_px", ".bbox", ".diameter_mm", ".face.box", ".face.landmarks", ".face.danger_triangle")
# (boxes and landmarks are written to 0.1 px)


@pytest.fixture(scope="module")
def sample(sample_path: Path) -> tuple[comedo.Analysis, dict]:
    analysis = comedo.analyze(sample_path, answers={"pain": "mild"})
    return analysis, to_document(analysis).model_dump(mode="json")


def _geometry_within(found: list[str], tolerance: float) -> None:
    for line in found:
        assert any(g in line for g in GEOMETRY), line
        a, b = line.rsplit(": ", 1)[1].split(" != ")
        assert abs(float(a) - float(b)) <= tolerance, line


def test_a_document_read_back_writes_the_same_document(sample) -> None:
    analysis, doc = sample
    back = from_document(doc, analysis.image.pixels)
    assert len(back.lesions) == len(analysis.lesions) > 0
    assert back.lesions.type_label.tolist() == analysis.lesions.type_label.tolist()
    assert [r and r.code for r in back.lesions.type_reason] == [r and r.code for r in analysis.lesions.type_reason]
    assert back.lesions.irritation.tolist() == analysis.lesions.irritation.tolist()
    assert back.report is not None and back.report.triage.level == analysis.report.triage.level
    # Boxes are written to 0.1 px, so geometry comes back to that precision.
    _geometry_within(differences(doc, to_document(back).model_dump(mode="json")), 0.101)


def test_a_schema_1_0_document_is_read(sample) -> None:
    analysis, doc = sample
    old = copy.deepcopy(doc)
    old["schema_version"] = "1.0"
    del old["severity"]["counts"]["untyped"]
    old["lesion_type"].pop("group"), old["lesion_type"].pop("group_scores")
    for lesion in old["lesions"]:
        lesion.pop("type_reason_code"), lesion.pop("origin")
    back = from_document(old, analysis.image.pixels)
    assert [r and r.code for r in back.lesions.type_reason] == [r and r.code for r in analysis.lesions.type_reason]
    assert back.severity.untyped == 0 and back.photo_type.group is None


def test_a_document_must_match_its_photo_and_be_a_known_version(sample) -> None:
    analysis, doc = sample
    with pytest.raises(InvalidInputError, match="describes a 640x640 photo"):
        from_document(doc, np.zeros((10, 20, 3), np.uint8))
    with pytest.raises(InvalidInputError, match="schema_version must be one of"):
        from_document({**doc, "schema_version": "9.0"}, analysis.image.pixels)
    with pytest.raises(InvalidInputError, match="not a comedo analysis"):
        from_document({**doc, "lesions": [{"bbox": [1]}]}, analysis.image.pixels)


def test_the_session_report_reads_stored_analyses(sample, tmp_path: Path, monkeypatch) -> None:
    from comedo.render.session_report import session_report_html

    analysis, _ = sample
    store = Store.open(f"sqlite:///{tmp_path / 'h.sqlite'}", data_dir=tmp_path)
    sid = store.start_session("p1", before=analysis)
    store.add_step(sid, "sterilise")
    store.add_step(sid, "aftercare", photo=analysis)

    def no_analysis(*args, **kwargs):
        raise AssertionError("the session report ran analyze again")

    monkeypatch.setattr("comedo.pipeline.analyze", no_analysis)
    html = session_report_html(store, sid)
    assert "Resolved 0, persisting" in html and "new 0" in html
    store.close()


def test_a_read_back_analysis_draws_without_the_maps_it_does_not_keep(sample) -> None:
    from comedo.render.annotate import LAYERS, annotate
    from comedo.render.images import redness_rgba

    analysis, doc = sample
    back = from_document(doc, analysis.image.pixels)
    drawn = annotate(back, layers=LAYERS)
    assert drawn.ndim == 3 and drawn.shape[1] == 640
    assert not redness_rgba(back, 64, 64)[..., 3].any()  # no redness map kept: nothing painted
