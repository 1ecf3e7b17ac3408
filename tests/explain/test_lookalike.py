"""A close-up that most likely shows a look-alike of acne: the finding, the rule it fires, no protocol."""

from __future__ import annotations

from dataclasses import replace

from synthetic import add_dots, skin_scene

import comedo
from comedo.explain.advice import build_report
from comedo.explain.findings import findings_from
from comedo.explain.reasons import reason_text
from comedo.types import PhotoType


def _close_up_of_comedones() -> comedo.Analysis:
    scene = add_dots(skin_scene((400, 400), margin=0, seed=9), 10, radius=(3.0, 5.0), darken=40.0)
    analysis = comedo.analyze(scene.rgb, detector="classical")
    assert analysis.scene is not None and analysis.scene.view == "close_up"
    comedonal = PhotoType("open_comedo", {"open_comedo": 0.9, "closed_comedo": 0.05, "papule": 0.02,
                                          "pustule": 0.01, "nodule": 0.01, "cyst": 0.01}, "rings_and_whole_photo",
                          "comedonal", {"comedonal": 0.95, "inflamed": 0.03, "deep": 0.02})
    return replace(analysis, photo_type=comedonal)


def test_the_lookalike_finding_comes_from_the_photo_type() -> None:
    analysis = _close_up_of_comedones()
    assert findings_from(None, analysis).lookalikes_seen == frozenset()
    looks = replace(analysis, photo_type=replace(analysis.photo_type, lookalike_share=0.7, lookalike_likely=True))
    assert findings_from(None, looks).lookalikes_seen == frozenset({"lookalike"})


def test_a_lookalike_says_may_not_be_acne_and_never_gets_the_protocol() -> None:
    analysis = _close_up_of_comedones()
    looks = replace(analysis, photo_type=replace(analysis.photo_type, lookalike_share=0.7, lookalike_likely=True))
    report = build_report(findings_from(None, looks))
    assert "lookalike_lookalike" in {r.code for r in report.triage.reasons}
    assert reason_text("lookalike_lookalike").startswith("May not be acne")
    assert not report.extraction.steps and report.extraction.advice != "ok_with_care"
    assert "lookalike" in {s.code for s in report.extraction.reasons}
