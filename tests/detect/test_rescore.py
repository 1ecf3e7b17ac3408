"""The candidate rescorer: its features, its checks, and how the detector applies it (wider views only)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

import comedo
from comedo.detect.onnx_detector import OnnxDetector
from comedo.detect.rescore import FEATURE_NAMES, CandidateRescorer, candidate_features
from comedo.nets.registry import WEIGHTS_DIR
from comedo_train.fit_rescorer import matched


def test_features_describe_size_crowding_and_the_photos_counts() -> None:
    boxes = np.array([[0, 0, 20, 20], [10, 0, 30, 20], [200, 200, 280, 240], [400, 400, 420, 420]], float)
    scores = np.array([0.9, 0.3, 0.5, 0.06])
    f = candidate_features(boxes, scores, confident=0.23, sized_from=0.2)
    assert f.shape == (4, len(FEATURE_NAMES))
    col = dict(zip(FEATURE_NAMES, f.T, strict=True))
    assert np.allclose(np.expm1(col["log1p_neighbours"]), [1, 1, 0, 0])  # the first two overlap
    assert np.allclose(np.expm1(col["log1p_count_confident"]), 3) and np.allclose(np.expm1(col["log1p_count_all"]), 4)
    assert col["log_side_vs_median"][2] > 1.0  # 80 px against a typical 20 px
    assert np.isclose(col["log_aspect"][2], np.log(2.0))
    assert candidate_features(np.zeros((0, 4)), np.zeros(0), confident=0.23, sized_from=0.2).shape == (0, 9)


def test_matching_counts_each_labelled_box_once_best_score_first() -> None:
    truth = np.array([[0, 0, 20, 20]], float)
    boxes = np.array([[1, 1, 21, 21], [0, 0, 20, 20], [100, 100, 120, 120]], float)
    assert matched(boxes, np.array([0.9, 0.5, 0.8]), truth).tolist() == [1, 0, 0]


def test_shapes_are_checked() -> None:
    with pytest.raises(ValueError):
        CandidateRescorer(0.23, 0.2, 0.05, np.zeros(9), np.ones(9), np.zeros(10))


def _card_with(tmp: Path, weights: np.ndarray) -> OnnxDetector:
    card = json.loads((WEIGHTS_DIR / "lesion_detector.card.json").read_text())
    rescorer = CandidateRescorer(0.23, 0.2, 0.05, np.zeros(9), np.ones(9), weights)
    card["inference"]["rescorer"] = rescorer.to_dict()
    shutil.copy(WEIGHTS_DIR / card["file"], tmp / card["file"])
    (tmp / "lesion_detector.card.json").write_text(json.dumps(card))
    return OnnxDetector(tmp / "lesion_detector.card.json")


def test_the_detector_rescores_wider_views_only(sample_path: Path, tmp_path: Path) -> None:
    plain = comedo.analyze(sample_path, min_score=0.05)
    weights = np.zeros(19)
    weights[0] = 3.0  # every candidate becomes 0.95
    sure = comedo.analyze(sample_path, detector=_card_with(tmp_path, weights), min_score=0.5)
    assert plain.scene is not None and plain.scene.view == "wide"
    assert np.allclose(sure.lesions.score, 1 / (1 + np.exp(-3.0)), atol=1e-5)
    assert len(sure.lesions) == len(plain.lesions)  # every candidate down to the rescorer's floor, now listed
    weights[0] = -3.0  # every candidate becomes 0.05: none left at 0.5
    assert len(comedo.analyze(sample_path, detector=_card_with(tmp_path, weights), min_score=0.5).lesions) == 0


def test_close_ups_keep_the_raw_scores(sample_path: Path, tmp_path: Path) -> None:
    import cv2

    rgb = comedo.load_image(sample_path).pixels
    h, w = rgb.shape[:2]
    crop = cv2.resize(rgb[h // 2 : h // 2 + h // 4, w // 2 - w // 8 : w // 2 + w // 8], (480, 480),
                      interpolation=cv2.INTER_CUBIC)
    weights = np.zeros(19)
    weights[0] = 3.0
    analysis = comedo.analyze(crop, detector=_card_with(tmp_path, weights), min_score=0.05)
    assert analysis.scene is not None and analysis.scene.view == "close_up"
    raw = comedo.analyze(crop, detector="model", min_score=0.05)  # the same detector without the rescorer
    assert np.allclose(np.sort(analysis.lesions.score), np.sort(raw.lesions.score))
