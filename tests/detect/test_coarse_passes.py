"""A close-up's coarser detector passes give the same lesions whether the pipeline runs them beside the base pass
or the detector runs them itself."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from comedo.detect.registry import get_detector
from comedo.io import load_image
from comedo.measure.colour import colour_planes
from comedo.measure.skin import segment_skin


def test_coarse_passes_run_beside_match_those_run_inside(sample_path: Path) -> None:
    rgb = load_image(sample_path).pixels
    h, w = rgb.shape[:2]
    crop = cv2.resize(rgb[h // 3 : h // 3 + h // 4, w // 3 : w // 3 + w // 4], (640, 640),
                      interpolation=cv2.INTER_CUBIC)  # a magnified patch of cheek, as a close-up shows it
    planes = colour_planes(crop)
    skin = segment_skin(planes).mask
    det = get_detector("model")
    coarse = det.coarse_passes(crop, min_score=0.1)
    assert coarse[0].shape[1] == 4 and len(coarse[0]) == len(coarse[1])
    inside = det.detect(crop, planes, skin, min_score=0.1, close_up=True)
    beside = det.detect(crop, planes, skin, min_score=0.1, close_up=True, coarse=lambda: coarse)
    assert np.array_equal(inside.lesions.xyxy, beside.lesions.xyxy)
    assert np.array_equal(inside.lesions.score, beside.lesions.score)
