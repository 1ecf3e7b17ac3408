"""analyze() end to end on the bundled sample and on synthetic scenes."""

from __future__ import annotations

import json
from html import escape
from pathlib import Path

import cv2
import numpy as np
import pytest
from synthetic import add_dots, add_red_patch, skin_scene

import comedo
from comedo.errors import InvalidInputError
from comedo.explain.describe import _a
from comedo.render.report import report_html
from comedo.schema import AnalysisDocument, to_document

REQUIRED = {"schema_version", "image", "lesions", "dark_spots", "redness", "severity", "quality", "provenance"}


@pytest.mark.parametrize("detector", ["auto", "classical"])
def test_sample_analysis_document(sample_path: Path, detector: str) -> None:
    analysis = comedo.analyze(sample_path, detector=detector)
    doc = to_document(analysis).model_dump(mode="json")
    assert REQUIRED <= doc.keys()
    assert doc["image"]["width"] == 640 and doc["image"]["height"] == 640
    assert len(doc["image"]["sha256"]) == 64
    assert doc["severity"]["hayashi"]["lesion_count"] == len(doc["lesions"])
    for lesion in doc["lesions"]:
        x, y, w, h = lesion["bbox"]
        assert 0 <= lesion["score"] <= 1 and w > 0 and h > 0
        assert 0 <= x <= 640 and 0 <= y <= 640 and x + w <= 640 and y + h <= 640
        assert lesion["diameter_mm"] is None
    for spot in doc["dark_spots"]:
        assert set(spot) >= {"center", "radius_px"}
    assert doc["redness"]["irritation"] in {"none", "slight", "moderate", "marked"}
    AnalysisDocument.model_validate_json(json.dumps(doc))


def test_same_result_from_path_bytes_and_array(sample_path: Path) -> None:
    from_path = comedo.analyze(sample_path, detector="classical")
    from_bytes = comedo.analyze(sample_path.read_bytes(), detector="classical")
    from_array = comedo.analyze(from_path.image.pixels, detector="classical")
    assert from_path.image.sha256 == from_bytes.image.sha256
    assert np.array_equal(from_path.lesions.xyxy, from_bytes.lesions.xyxy)
    assert np.array_equal(from_path.lesions.xyxy, from_array.lesions.xyxy)


def test_sizes_in_mm_with_a_scale(sample_path: Path) -> None:
    doc = to_document(comedo.analyze(sample_path, mm_per_px=0.1, detector="classical")).model_dump(mode="json")
    for lesion in doc["lesions"]:
        assert lesion["diameter_mm"] == pytest.approx(lesion["diameter_px"] * 0.1, abs=0.02)  # its own outline
        if lesion["size_source"] == "ring":
            assert lesion["diameter_px"] == pytest.approx(2 * lesion["radius_px"], abs=0.02)


def test_classical_detector_finds_drawn_red_lesions() -> None:
    scene = skin_scene(seed=7)
    spots = [(180, 160), (420, 300), (300, 380)]
    for x, y in spots:
        scene = add_red_patch(scene, x, y, 9, 14.0)
    analysis = comedo.analyze(scene.rgb, detector="classical")
    centers = analysis.lesions.centers
    for x, y in spots:
        assert np.min(np.hypot(centers[:, 0] - x, centers[:, 1] - y)) < 6
    assert len(analysis.lesions) == len(spots)
    assert all(g.value in {"moderate", "marked"} for g in analysis.lesions.irritation)


def test_large_photo_coordinates_are_in_original_pixels() -> None:
    scene = add_dots(skin_scene((1500, 2000), seed=2), 10, radius=(6, 8), seed=3, min_gap=60)
    analysis = comedo.analyze(scene.rgb, detector="classical")
    assert analysis.analysis_scale < 1
    centers = analysis.dark_spots.centers
    hits = sum(np.min(np.hypot(centers[:, 0] - x, centers[:, 1] - y)) < 5 for x, y, _ in scene.dots)
    assert hits >= 9


@pytest.mark.parametrize(
    ("rgb", "flag"),
    [
        (np.full((200, 200, 3), (40, 60, 200), np.uint8), "too_little_skin"),
        (cv2.GaussianBlur(skin_scene(seed=1).rgb, (0, 0), 6), "blurry"),
        ((skin_scene(seed=1).rgb * 0.12).astype(np.uint8), "underexposed"),
    ],
    ids=["no-skin", "blur", "dark"],
)
def test_quality_flags_not_exceptions(rgb: np.ndarray, flag: str) -> None:
    analysis = comedo.analyze(rgb, detector="classical")
    assert flag in analysis.quality.flags
    doc = to_document(analysis).model_dump(mode="json")
    assert doc["quality"]["hints"] and not doc["quality"]["ok"]


def test_bad_min_score() -> None:
    with pytest.raises(InvalidInputError, match="min_score"):
        comedo.analyze(np.zeros((10, 10, 3), np.uint8), min_score=2.0)


def test_unknown_detector() -> None:
    with pytest.raises(InvalidInputError, match="detector must be"):
        comedo.analyze(np.zeros((64, 64, 3), np.uint8), detector="yolo")


def test_annotated_image_does_not_touch_the_photo(sample_path: Path) -> None:
    from comedo.render.annotate import annotate

    analysis = comedo.analyze(sample_path, detector="classical")
    before = analysis.image.pixels.copy()
    out = annotate(analysis)
    assert np.array_equal(before, analysis.image.pixels)
    assert out.shape[1] == 640 and out.shape[0] > 640 and out.dtype == np.uint8


def test_legend_fits_a_narrow_photo(sample_path: Path) -> None:
    """A 256 px web close-up: every legend entry stays inside the image (it used to run off the right edge)."""
    import cv2

    from comedo.render.annotate import LAYERS, annotate

    small = cv2.resize(comedo.load_image(sample_path).pixels, (200, 256), interpolation=cv2.INTER_AREA)
    out = annotate(comedo.analyze(small, detector="classical"), layers=LAYERS)
    legend = out[640:]
    assert out.shape[1] == 500  # enlarged for display: 256 px becomes 640
    assert (legend[:, -4:] == 255).all()  # nothing drawn in the right margin
    assert (legend[:, :-4] < 128).any()  # but text was drawn


def test_lesions_first_rings_coloured_and_lettered_by_type(sample_path: Path) -> None:
    from comedo.render.annotate import TYPE_STYLE, annotate

    analysis = comedo.analyze(sample_path)
    plain = annotate(analysis)  # default: lesions only, no redness heat map, no dark-spot circles
    photo = analysis.image.pixels
    off_rings = np.ones(photo.shape[:2], bool)
    for (x, y), r in zip(analysis.lesions.centers, analysis.lesions.radii, strict=True):
        cv2.circle(off_rings.view(np.uint8), (int(x), int(y)), int(r) + 40, 0, -1)
    assert np.array_equal(plain[:640][off_rings], photo[off_rings])  # away from the rings the photo is untouched
    kinds = set(analysis.lesions.type_label.tolist())
    colour = np.array(TYPE_STYLE[next(iter(kinds))][0])
    assert (np.abs(plain[:640].astype(int) - colour).max(axis=2) <= 10).sum() > 50  # the type's ring colour


def test_descriptions_use_the_right_article() -> None:
    assert _a("open comedo (blackhead)") == "an open comedo (blackhead)"
    assert _a("papule") == "a papule" and _a("lesion") == "a lesion"


def test_description_uses_only_measurements(sample_path: Path) -> None:
    doc = to_document(comedo.analyze(sample_path, detector="classical")).model_dump(mode="json")
    text = doc["description"]["text"]
    n = len(doc["lesions"])
    assert f"{n} acne lesions were detected" in text or (n == 1 and "One acne lesion was" in text)
    assert doc["severity"]["hayashi"]["label"].replace("_", " ") in text
    assert "pixels" in text  # no scale given, so no millimetres are invented
    assert "mm" not in text.replace("comedo", "")
    with_scale = to_document(comedo.analyze(sample_path, detector="classical", mm_per_px=0.1)).model_dump(mode="json")
    assert " mm across" in with_scale["description"]["text"]


def test_scene_of_a_plain_skin_patch_is_close_up() -> None:
    scene = skin_scene((400, 400), margin=0, seed=9)
    analysis = comedo.analyze(scene.rgb, detector="classical")
    assert analysis.scene is not None and analysis.scene.view == "close_up"
    assert not analysis.scene.instrument_or_fingers


def test_blue_glove_entering_over_skin_is_flagged() -> None:
    scene = skin_scene((400, 400), margin=0, seed=9)
    rgb = scene.rgb.copy()
    cv2.rectangle(rgb, (150, 250), (230, 399), (70, 110, 220), -1)  # a gloved finger from the bottom edge
    analysis = comedo.analyze(rgb, detector="classical")
    assert analysis.scene is not None and analysis.scene.instrument_or_fingers
    assert "glove" in analysis.scene.instrument_evidence[0]


def test_detector_count_cutoffs_grade_and_are_reported(sample_path: Path) -> None:
    from comedo.detect.registry import get_detector

    class StricterCutoffs:
        """The classical detector with the cut-offs a calibrated card could carry."""

        def __init__(self) -> None:
            self.inner = get_detector("classical")
            self.name, self.default_min_score = self.inner.name, self.inner.default_min_score
            self.hayashi_upper = (0, 1, 2)

        @property
        def identity(self) -> dict[str, str]:
            return self.inner.identity

        def detect(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            return self.inner.detect(*args, **kwargs)

    doc = to_document(comedo.analyze(sample_path, detector=StricterCutoffs())).model_dump(mode="json")
    assert len(doc["lesions"]) > 2
    assert doc["severity"]["hayashi"]["count_cutoffs"] == [0, 1, 2]
    assert doc["severity"]["hayashi"]["label"] == "very_severe"
    assert "cut-offs of 0/1/2 lesions instead of Hayashi's 5/20/50" in doc["description"]["text"]
    plain = to_document(comedo.analyze(sample_path, detector="classical")).model_dump(mode="json")
    assert plain["severity"]["hayashi"]["count_cutoffs"] == [5, 20, 50]
    assert "cut-offs" not in plain["description"]["text"]


def test_wide_view_claims_no_nodule_or_cyst_without_a_scale(sample_path: Path) -> None:
    # The sample face's largest lesion (about 40 px, a 100 px crop) is a papule the classifier, trained on close-ups,
    # scores as a nodule; without a scale that must stay an open question, said in the description.
    doc = to_document(comedo.analyze(sample_path)).model_dump(mode="json")
    assert doc["scene"]["view"] == "wide"
    assert not {lesion["type"] for lesion in doc["lesions"]} & {"nodule", "cyst"}
    maybe_deep = [x for x in doc["lesions"] if x["type_reason_code"] == "needs_scale"]
    assert all(x["type_reason"].startswith("needs a scale") for x in maybe_deep)
    assert {x["type_reason_code"] for x in doc["lesions"] if x["type"] is None} <= {"too_small", "needs_scale",
                                                                                    "uncertain"}
    assert all(x["type_summary"] in ("nodule? needs a scale", "cyst? needs a scale") for x in maybe_deep)
    if maybe_deep:
        html = report_html(comedo.analyze(sample_path))
        assert f"<td title='{escape(maybe_deep[0]['type_reason'])}'>{maybe_deep[0]['type_summary']}</td>" in html
        assert "may be a nodule or cyst" in doc["description"]["text"] or "may be nodules or cysts" in \
            doc["description"]["text"]
        assert doc["triage"]["level"] == "self_care" or all(
            r["code"] != "nodule_or_cyst" for r in doc["triage"]["reasons"])


def test_grade_model_grades_from_all_candidates_and_says_why(sample_path: Path) -> None:
    from comedo.detect.registry import get_detector
    from comedo.grade.model import CountGradeModel

    shipped = comedo.analyze(sample_path)
    hayashi = to_document(shipped).model_dump(mode="json")["severity"]["hayashi"]
    assert hayashi["method"] == "grade_model"
    assert len(hayashi["probabilities"]) == 4 and abs(sum(hayashi["probabilities"]) - 1) < 1e-3
    assert hayashi["grade"] == int(np.argmax(hayashi["probabilities"]))
    assert hayashi["count_grade"] == 1  # 20 lesions: Hayashi's 6-20 band
    assert hayashi["estimated_count"] >= hayashi["lesion_count"] - 5
    assert hayashi["heat_mass"] > 5 * hayashi["lesion_count"]  # about 12-16 per lesion on ACNE04 train
    assert comedo.analyze(sample_path, detector="classical").severity.heat_mass is None  # no heatmap

    class WrittenFor03:
        """The shipped detector and its grade model behind the 0.3 interface: ``detect`` returns bare lesions."""

        def __init__(self) -> None:
            self.inner = get_detector("model")
            self.name, self.default_min_score = self.inner.name, self.inner.default_min_score
            self.hayashi_upper, self.grade_model = self.inner.hayashi_upper, self.inner.grade_model

        @property
        def identity(self) -> dict[str, str]:
            return self.inner.identity

        def detect(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            return self.inner.detect(*args, **kwargs).lesions

    old = comedo.analyze(sample_path, detector=WrittenFor03())
    assert len(old.lesions) == len(shipped.lesions) and old.severity.heat_mass is None
    # The grade model reads a heat mass this detector cannot give, so the photo is graded by its count.
    assert old.severity.hayashi_method == "count" and old.severity.hayashi_grade == hayashi["count_grade"]

    class AlwaysVerySevere:
        """The shipped detector with a grade model that reads every photo as very severe."""

        def __init__(self) -> None:
            self.inner = get_detector("model")
            self.name, self.default_min_score = self.inner.name, self.inner.default_min_score
            self.hayashi_upper = self.inner.hayashi_upper
            weights = np.zeros((4, 4))  # intercepts, then two counts and the score sum
            weights[0, 3] = 5.0
            self.grade_model = CountGradeModel((0.05, 0.3), np.zeros(3), np.ones(3), weights)
            self.floors: list[float] = []

        @property
        def identity(self) -> dict[str, str]:
            return self.inner.identity

        def detect(self, *args, min_score: float, **kwargs):  # type: ignore[no-untyped-def]
            self.floors.append(min_score)
            return self.inner.detect(*args, min_score=min_score, **kwargs)

    det = AlwaysVerySevere()
    analysis = comedo.analyze(sample_path, detector=det)
    assert det.floors == [0.05]  # candidates down to the model's floor ...
    assert len(analysis.lesions) == len(shipped.lesions)  # ... but only those at the threshold are listed
    assert analysis.severity.hayashi_label == "very_severe"
    assert analysis.severity.hayashi_count_grade == 1
    assert "grade model puts this at very severe" in analysis.description.text
    assert "count alone would be moderate" in analysis.description.text
    assert analysis.severity.estimated_lesion_count is None  # this model has no count head
    estimate = shipped.severity.estimated_lesion_count
    assert estimate is not None and estimate != len(shipped.lesions)
    html = report_html(shipped)
    assert f"(about {estimate} in all)" in html
    assert f"Hayashi moderate, {max(shipped.severity.hayashi_probabilities):.0%} sure" in html


def test_annotated_image_outlines_the_skin_left_out_of_redness(sample_path: Path) -> None:
    from comedo.render.annotate import anatomy_mask, annotate

    analysis = comedo.analyze(sample_path)
    left_out = anatomy_mask(analysis)
    assert analysis.redness.anatomy_fraction > 0.05  # the sample's lips, nostril and folds
    assert left_out.sum() / analysis.skin.mask.sum() == pytest.approx(analysis.redness.anatomy_fraction, abs=1e-3)

    def grey_pixels(img: np.ndarray) -> int:
        photo = img[: analysis.image.height]
        return int((np.abs(photo.astype(int) - 150).max(axis=2) <= 2).sum())

    with_outline = grey_pixels(annotate(analysis, layers=("redness",)))
    without = grey_pixels(annotate(analysis, layers=("lesions",)))
    assert with_outline > without + 200


def test_close_ups_are_not_graded_on_face_scales(sample_path: Path) -> None:
    # Hayashi, IGA and NICE count lesions over a face; a close-up shows a small patch (and its magnified texture
    # gives many faint candidates), so its lesions are listed and typed, and the scales are null.
    rgb = comedo.load_image(sample_path).pixels
    h, w = rgb.shape[:2]
    crop = cv2.resize(rgb[h // 2 : h // 2 + h // 4, w // 2 - w // 8 : w // 2 + w // 8], (480, 480),
                      interpolation=cv2.INTER_CUBIC)
    analysis = comedo.analyze(crop)
    assert analysis.scene is not None and analysis.scene.view == "close_up"
    sev = analysis.severity
    assert not sev.graded and sev.not_graded is not None and sev.not_graded.code == "close_up"
    assert sev.hayashi_grade is None and sev.iga_grade is None and sev.nice_band is None
    assert sev.estimated_lesion_count is None and sev.lesion_count == len(analysis.lesions)
    # Untyped lesions are counted as such, not as papules or pustules.
    untyped = sum(t is None for t in analysis.lesions.type_label)
    assert sev.untyped == untyped
    assert sev.papules_pustules == sum(t in ("papule", "pustule") for t in analysis.lesions.type_label)
    doc = comedo.to_document(analysis).model_dump(mode="json")
    assert doc["severity"]["hayashi"] is None and doc["severity"]["iga"] is None and doc["severity"]["nice"] is None
    assert doc["severity"]["not_graded"]["code"] == "close_up"
    # Nor mapped as a face: no zones, no GAGS, no lesion zones (a cheek crop is skin, not a face).
    assert doc["face"] == {**doc["face"], "found": False, "reason": "close_up"} and doc["severity"]["gags"] is None
    assert all(le["zone"] is None and not le["in_danger_triangle"] for le in doc["lesions"])
    assert "Hayashi" not in analysis.description.text.split("Not graded")[0]
    assert "severe_acne" not in {r.code for r in analysis.report.triage.reasons}


def test_close_up_path_rings_and_types_with_the_close_up_detector() -> None:
    """A synthetic close-up of dark dots goes through the close-up detector: one pass, no coarse passes of the
    face detector, no crop-by-crop typing; every ring it lists is typed and the look-alike share is reported."""
    from comedo.nets.registry import installed

    if not installed("closeup_detector"):
        pytest.skip("no close-up detector in this build")
    scene = add_dots(skin_scene((480, 640), margin=0, seed=4), 12, radius=(3.0, 6.0), darken=40.0)
    analysis = comedo.analyze(scene.rgb)
    assert analysis.scene is not None and analysis.scene.view == "close_up"
    assert analysis.provenance["detector"]["name"] == "closeup-lite0-types-s4"
    assert analysis.provenance["lesion_type_model"] == analysis.provenance["detector"]
    assert "coarse_passes" not in analysis.timings_ms
    assert all(label is not None for label in analysis.lesions.type_label)
    assert (analysis.lesions.origin == "detector").all()
    assert analysis.photo_type.lookalike_share is not None
    assert analysis.photo_type.basis.startswith(("rings_and_whole_photo", "whole_photo"))


def test_a_close_up_of_lookalikes_says_may_not_be_acne_and_gets_no_protocol(monkeypatch) -> None:
    """The look-alike rule fires from the finding the close-up path makes: rings typed look-alike (a stand-in
    detector gives them) make ``lookalike_likely``, the triage's lookalike reason and no extraction protocol."""
    from comedo import pipeline
    from comedo.detect.closeup import CloseupCard, CloseupRings
    from comedo.lesions import Lesions

    card = CloseupCard(name="stand-in", file="none.onnx", sha256="0" * 64)

    class LookalikesOnly:
        name = "stand-in"
        default_min_score = 0.3
        identity = {"name": "stand-in", "sha256": "0" * 64}

        def __init__(self) -> None:
            self.card = card

        def detect(self, rgb: np.ndarray, *, min_score: float | None = None) -> CloseupRings:
            boxes = np.array([[100, 100, 130, 130], [200, 150, 226, 176]], np.float32)
            return CloseupRings(Lesions.empty(), Lesions(boxes, np.array([0.9, 0.8], np.float32)))

    monkeypatch.setattr(pipeline, "get_closeup_detector", LookalikesOnly)
    analysis = comedo.analyze(skin_scene((400, 400), margin=0, seed=9).rgb)
    assert analysis.scene is not None and analysis.scene.view == "close_up"
    assert analysis.photo_type.lookalike_share == 1.0 and analysis.photo_type.lookalike_likely
    report = analysis.report
    assert "lookalike_lookalike" in {r.code for r in report.triage.reasons}
    assert report.extraction.advice != "ok_with_care" and not report.extraction.steps
    assert any("may not be acne" in s.text.lower() for s in report.triage.reasons)


def test_score_factor_scales_the_threshold_of_the_detector_that_rings_the_photo(sample_path: Path) -> None:
    """Compare lists lesions down to half the operating threshold of whichever detector rings a photo (the face
    detector's on a face, the close-up detector's on a close-up), not one fixed number."""
    from comedo.detect.registry import get_detector

    half = comedo.analyze(sample_path, score_factor=0.5)
    assert half.min_score == pytest.approx(get_detector("auto").default_min_score / 2)
    assert len(half.lesions) >= len(comedo.analyze(sample_path).lesions)
