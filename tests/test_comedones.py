"""Blackheads on a close-up: dark plugs become open-comedo lesions only where the photo shows blackheads."""

from __future__ import annotations

import numpy as np
import pytest

from comedo.comedones import PLUG_MIN_CONTRAST, mark_open_comedones
from comedo.types import DarkSpots, Lesions, PhotoType
from comedo.typing_stage import TYPE_NAMES


def _photo(label: str | None, group: str | None, **scores: float) -> PhotoType:
    return PhotoType(label, {t: scores.get(t, 0.0) for t in TYPE_NAMES}, "whole_photo", group, None)


SPOTS = DarkSpots(np.array([[20, 20], [60, 40], [100, 90]], np.float32), np.array([3, 2, 4], np.float32),
                  np.array([PLUG_MIN_CONTRAST + 10, PLUG_MIN_CONTRAST - 5, PLUG_MIN_CONTRAST + 1], np.float32))


def test_dark_plugs_on_a_blackhead_close_up_become_open_comedones() -> None:
    plugs, rest = mark_open_comedones(SPOTS, _photo("open_comedo", "comedonal", open_comedo=0.8, closed_comedo=0.1))
    assert len(plugs) == 2 and len(rest) == 1  # the paler dot stays a dark spot
    assert list(plugs.type_label) == ["open_comedo", "open_comedo"]
    assert list(plugs.origin) == ["dark_plug", "dark_plug"]
    np.testing.assert_allclose(plugs.centers, [[20, 20], [100, 90]])  # darkest first
    assert plugs.radii[0] > SPOTS.radii[0]  # the ring goes around the plug
    assert np.allclose(plugs.score, 0.8)
    np.testing.assert_allclose(rest.centers, [[60, 40]])


@pytest.mark.parametrize("photo", [
    _photo("papule", "inflamed", papule=0.9), _photo("closed_comedo", "comedonal", closed_comedo=0.9),
    _photo(None, None, papule=0.3, open_comedo=0.3, nodule=0.4), None])
def test_no_plugs_where_the_photo_does_not_show_blackheads(photo: PhotoType | None) -> None:
    plugs, rest = mark_open_comedones(SPOTS, photo)
    assert len(plugs) == 0 and len(rest) == len(SPOTS)


def test_lesions_columns_are_validated() -> None:
    with pytest.raises(ValueError, match="type_label"):
        Lesions(np.zeros((2, 4)), np.zeros(2), type_label=np.array(["papule"], object))
    with pytest.raises(ValueError, match="score"):
        Lesions(np.zeros((2, 4)), np.zeros(3))
    both = Lesions.concatenate([Lesions(np.ones((1, 4)), np.ones(1)), Lesions.empty()])
    assert len(both) == 1 and both.origin[0] == "detector" and both[np.array([True])].origin[0] == "detector"
