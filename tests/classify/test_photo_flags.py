"""Whole-photo classifiers (comedo.classify.photo_flag) as the scene uses them: close-up or wide, and fingers,
glove or tool in frame beside the blue-glove rule."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from paths import TEST_DATA
from synthetic import skin_scene

import comedo
from comedo.classify.registry import get_close_up_classifier, get_instrument_classifier
from comedo.classify.scene import instrument_in_frame
from comedo.files import file_sha256
from comedo.measure.colour import colour_planes
from comedo.measure.skin import segment_skin

TEST_FACES = TEST_DATA


@pytest.mark.parametrize("get", [get_instrument_classifier, get_close_up_classifier])
def test_shipped_photo_models_match_their_cards(sample_path: Path, get: object) -> None:
    classifier = get()  # type: ignore[operator]
    assert classifier is not None
    assert file_sha256(classifier.card_path.parent / classifier.card.file) == classifier.card.sha256
    p = classifier.probability(comedo.load_image(sample_path).pixels)
    assert 0.0 <= p <= 1.0


@pytest.mark.parametrize("name", ["sample", "mild_face.jpg", "other_face.jpg"])
def test_faces_are_wide_views_with_no_hand_or_tool(sample_path: Path, name: str) -> None:
    path = sample_path if name == "sample" else TEST_FACES / name
    analysis = comedo.analyze(path)
    scene = analysis.scene
    assert scene is not None and scene.view == "wide", scene.close_up_probability
    models = analysis.provenance["scene_models"]
    assert models == {"close_up": get_close_up_classifier().identity,  # type: ignore[union-attr]
                      "instrument": get_instrument_classifier().identity}  # type: ignore[union-attr]
    assert not scene.instrument_or_fingers, scene.instrument_evidence


def test_a_crop_of_a_face_photo_is_a_close_up(sample_path: Path) -> None:
    rgb = comedo.load_image(sample_path).pixels
    h, w = rgb.shape[:2]
    # The cheek below the eye, a quarter of the frame's side, blown up as a phone's zoom would.
    crop = cv2.resize(rgb[h // 2 : h // 2 + h // 4, w // 2 - w // 8 : w // 2 + w // 8], (480, 480),
                      interpolation=cv2.INTER_CUBIC)
    scene = comedo.analyze(crop).scene
    assert scene is not None and scene.view == "close_up", scene.close_up_probability


def test_without_the_photo_only_the_blue_glove_rule_decides() -> None:
    rgb = skin_scene((400, 400), margin=0, seed=9).rgb.copy()
    planes = colour_planes(rgb)
    assert instrument_in_frame(None, planes, segment_skin(planes).mask)[0] == 0.0
    cv2.rectangle(rgb, (150, 250), (230, 399), (70, 110, 220), -1)  # a gloved finger from the bottom edge
    planes = colour_planes(rgb)
    confidence, threshold, evidence = instrument_in_frame(None, planes, segment_skin(planes).mask)
    assert confidence >= threshold and evidence and "blue/purple glove" in evidence[0]
    assert np.isfinite(confidence)


def _network_says(monkeypatch: pytest.MonkeyPatch, instrument: float) -> None:
    """The pipeline's whole-frame networks, with the instrument network's answer replaced by ``instrument``."""
    from comedo import pipeline
    from comedo.classify.scene import PhotoFlags, read_photo_flags

    monkeypatch.setattr(pipeline, "read_photo_flags",
                        lambda rgb: PhotoFlags(read_photo_flags(rgb).close_up, instrument))


def test_a_mapped_face_is_not_flagged_by_the_network_alone(sample_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 33: on faces the network, which learned from close-ups, fires at up to 1.0 on plain portraits."""
    _network_says(monkeypatch, 0.97)
    analysis = comedo.analyze(sample_path)
    assert analysis.face.found and analysis.scene.view == "wide"
    assert not analysis.scene.instrument_or_fingers
    assert analysis.scene.instrument_confidence < 0.5
    assert "0.97" in analysis.scene.instrument_evidence[-1] and "not taken" in analysis.scene.instrument_evidence[-1]


def test_a_close_up_is_still_flagged_by_the_network(sample_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _network_says(monkeypatch, 0.97)
    rgb = comedo.load_image(sample_path).pixels
    h, w = rgb.shape[:2]
    crop = cv2.resize(rgb[h // 2 : h // 2 + h // 4, w // 2 - w // 8 : w // 2 + w // 8], (480, 480),
                      interpolation=cv2.INTER_CUBIC)
    analysis = comedo.analyze(crop)
    assert not analysis.face.found and analysis.scene.view == "close_up"
    assert analysis.scene.instrument_or_fingers and analysis.scene.instrument_confidence == pytest.approx(0.97)


def test_on_a_mapped_face_the_blue_glove_rule_still_flags() -> None:
    rgb = skin_scene((400, 400), margin=0, seed=9).rgb.copy()
    cv2.rectangle(rgb, (150, 250), (230, 399), (70, 110, 220), -1)  # a gloved finger from the bottom edge
    planes = colour_planes(rgb)
    skin = segment_skin(planes).mask
    confidence, threshold, evidence = instrument_in_frame(0.2, planes, skin, face_mapped=True)
    assert confidence >= threshold and "blue/purple glove" in evidence[0]
    plain = colour_planes(skin_scene((400, 400), margin=0, seed=9).rgb)
    confidence, threshold, _ = instrument_in_frame(0.9, plain, segment_skin(plain).mask, face_mapped=True)
    assert confidence < threshold
    assert instrument_in_frame(0.9, plain, segment_skin(plain).mask)[0] >= threshold
