"""Blackheads on a close-up: dark plugs become open-comedo lesions only where the photo shows blackheads."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from comedo.classify.lesion_types import TYPE_NAMES
from comedo.detect.plugs import PLUG_MIN_CONTRAST, mark_open_comedones
from comedo.lesions import Lesions
from comedo.types import DarkSpots, PhotoType


def _photo(label: str | None, group: str | None, **scores: float) -> PhotoType:
    return PhotoType(label, {t: scores.get(t, 0.0) for t in TYPE_NAMES}, "whole_photo", group, None)


SPOTS = DarkSpots(np.array([[20, 20], [60, 40], [100, 90]], np.float32), np.array([3, 2, 4], np.float32),
                  np.array([PLUG_MIN_CONTRAST + 10, PLUG_MIN_CONTRAST - 5, PLUG_MIN_CONTRAST + 1], np.float32))


def test_dark_plugs_on_a_blackhead_close_up_become_open_comedones() -> None:
    plugs = mark_open_comedones(SPOTS, _photo("open_comedo", "comedonal", open_comedo=0.8, closed_comedo=0.1))
    assert len(plugs) == 2  # the paler dot stays a dark spot
    assert list(plugs.type_label) == ["open_comedo", "open_comedo"]
    assert list(plugs.origin) == ["dark_plug", "dark_plug"]
    np.testing.assert_allclose(plugs.centers, [[20, 20], [100, 90]])  # darkest first
    assert plugs.radii[0] > SPOTS.radii[0]  # the ring goes around the plug
    assert np.allclose(plugs.score, 0.8)


@pytest.mark.parametrize("photo", [
    _photo("papule", "inflamed", papule=0.9), _photo("closed_comedo", "comedonal", closed_comedo=0.9),
    _photo(None, None, papule=0.3, open_comedo=0.3, nodule=0.4), None])
def test_no_plugs_where_the_photo_does_not_show_blackheads(photo: PhotoType | None) -> None:
    assert len(mark_open_comedones(SPOTS, photo)) == 0


def test_lesions_columns_are_validated() -> None:
    with pytest.raises(ValueError, match="type_label"):
        Lesions(np.zeros((2, 4)), np.zeros(2), type_label=np.array(["papule"], object))
    with pytest.raises(ValueError, match="score"):
        Lesions(np.zeros((2, 4)), np.zeros(3))
    both = Lesions.concatenate([Lesions(np.ones((1, 4)), np.ones(1)), Lesions.empty()])
    assert len(both) == 1 and both.origin[0] == "detector" and both[np.array([True])].origin[0] == "detector"


def test_a_detection_on_a_plug_is_the_same_blackhead_and_is_merged() -> None:
    from comedo.detect.plugs import merge_with_detections

    plugs = Lesions(np.array([[10, 10, 30, 30]], np.float32), np.ones(1), type_label=np.array(["open_comedo"], object))
    found = Lesions(np.array([[12, 12, 28, 28], [100, 100, 140, 140], [15, 15, 25, 25]], np.float32), np.ones(3),
                    type_label=np.array([None, None, "papule"], object))
    # The untyped detection on the plug goes; the far one stays, and so does a papule typed there.
    assert merge_with_detections(found, plugs).tolist() == [False, True, True]


def test_plugs_are_found_at_close_up_size() -> None:
    from comedo.detect.plugs import find_plugs

    light = np.full((256, 256), 65.0, np.float32)
    yy, xx = np.mgrid[:256, :256]
    for cx, cy in ((60, 60), (180, 120), (100, 200)):
        light[(xx - cx) ** 2 + (yy - cy) ** 2 <= 6**2] = 25.0  # plugs of 6 px radius: over the 4 px dark spots allow
    spots = find_plugs(light, np.ones((256, 256), bool))
    assert len(spots) == 3 and (spots.contrast >= PLUG_MIN_CONTRAST).all()
    big = find_plugs(cv2.resize(light, (1024, 1024)), np.ones((1024, 1024), bool))  # worked on a 320 px copy
    np.testing.assert_allclose(np.sort(big.centers[:, 0]), np.sort(spots.centers[:, 0]) * 4, atol=6)
