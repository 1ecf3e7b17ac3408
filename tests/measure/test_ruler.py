"""The ruler in frame (comedo.measure.ruler) on close-ups we draw ourselves: millimetre rulers of five styles at
several angles and sizes, some partly covered by a fingertip, give the scale within 3 %; a sixteenth-of-an-inch
ruler is read as such; skin alone, and regular ticks without a ruler's longer marks, give none."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from synthetic_rulers import ruler_photo, skin_close_up

from comedo.measure.ruler import find_ruler
from comedo.measure.scale import Scale

CASES = [  # (photo size, px per mm, angle, style, fingertip over the ruler)
    ((640, 640), 6.0, 0.0, "white", False),
    ((640, 640), 10.0, 30.0, "black", False),
    ((640, 640), 14.0, 75.0, "clear", True),
    ((640, 640), 8.0, 120.0, "yellow_double", False),
    ((640, 640), 20.0, 10.0, "tape", True),
    ((640, 640), 5.0, 45.0, "white", True),
    ((480, 640), 9.0, 90.0, "clear", False),
    ((640, 480), 12.5, 163.0, "black", True),
    ((256, 256), 6.0, 20.0, "white", False),
    ((256, 256), 9.0, 135.0, "tape", False),
]


@pytest.mark.parametrize(("size", "px_per_mm", "angle", "style", "occlude"), CASES)
def test_a_millimetre_ruler_gives_the_scale_within_3_percent(size, px_per_mm, angle, style, occlude) -> None:
    rgb, truth = ruler_photo(size=size, px_per_mm=px_per_mm, angle_deg=angle, style=style, occlude=occlude,
                             seed=int(px_per_mm * 10 + angle))
    found = find_ruler(rgb)
    assert found.scale is not None, found.reason
    error_pct = 100 * (found.scale.mm_per_px / truth - 1)
    assert abs(error_pct) <= 3.0
    assert found.scale.source == "ruler" and found.scale.evidence["unit"] == "mm"
    assert abs(error_pct) <= 2 * found.scale.uncertainty_pct  # the stated uncertainty covers the error
    assert found.scale.evidence["ticks"] >= 12
    angle_err = abs((found.scale.evidence["angle_deg"] - angle + 90) % 180 - 90)
    assert angle_err <= 2.0


def test_a_sixteenth_inch_ruler_is_read_in_inches() -> None:
    rgb, truth = ruler_photo(px_per_mm=8.0, angle_deg=25.0, style="white", unit="inch", seed=3)
    found = find_ruler(rgb)
    assert found.scale is not None, found.reason
    assert found.scale.evidence["unit"] == "1/16 in"
    assert abs(found.scale.mm_per_px / truth - 1) <= 0.03


def test_half_the_pixels_twice_the_millimetres_per_pixel() -> None:
    rgb, truth = ruler_photo(size=(640, 640), px_per_mm=16.0, angle_deg=8.0, style="white", seed=5)
    full, half = find_ruler(rgb), find_ruler(cv2.resize(rgb, (320, 320), interpolation=cv2.INTER_AREA))
    assert full.scale is not None and half.scale is not None
    assert abs(half.scale.mm_per_px / (2 * full.scale.mm_per_px) - 1) <= 0.03


@pytest.mark.parametrize("seed", range(6))
def test_skin_alone_gives_no_scale(seed: int) -> None:
    found = find_ruler(skin_close_up((640, 640) if seed % 2 else (256, 256), seed=seed))
    assert found.scale is None and found.reason


def test_regular_ticks_without_longer_marks_give_no_scale() -> None:
    rgb, _ = ruler_photo(px_per_mm=9.0, angle_deg=12.0, style="white", unit="comb", seed=4)
    found = find_ruler(rgb)
    assert found.scale is None
    assert "longer 5 and 10 mm" in found.reason


def test_a_ruler_in_a_large_photo_is_found_on_a_smaller_copy() -> None:
    rgb, truth = ruler_photo(size=(960, 1280), px_per_mm=16.0, angle_deg=50.0, style="black", seed=6)
    found = find_ruler(rgb)
    assert found.scale is not None, found.reason
    assert abs(found.scale.mm_per_px / truth - 1) <= 0.03


def test_grey_input_and_bad_shapes() -> None:
    rgb, truth = ruler_photo(px_per_mm=10.0, angle_deg=0.0, style="white", seed=7)
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    assert find_ruler(grey).scale is not None
    with pytest.raises(ValueError, match="image must be"):
        find_ruler(np.zeros((10, 10, 3), np.uint8))


def test_a_scale_rescaled_to_a_resized_copy() -> None:
    scale = Scale(0.05, "ruler", 2.0, {"ticks": 20, "period_px": 20.0, "center_xy": [100.0, 50.0]})
    half = scale.rescaled(0.5)
    assert half.mm_per_px == pytest.approx(0.1) and half.source == "ruler"
    assert half.evidence == {"ticks": 20, "period_px": 10.0, "center_xy": [50.0, 25.0]}
    with pytest.raises(ValueError, match="source must be"):
        Scale(0.05, "guess")


def test_the_evidence_is_in_the_photos_pixels() -> None:
    rgb, truth = ruler_photo(size=(960, 1280), px_per_mm=12.0, angle_deg=0.0, style="white", seed=8)
    found = find_ruler(rgb)
    assert found.scale is not None, found.reason
    assert found.scale.evidence["period_px"] == pytest.approx(12.0, rel=0.03)
    x, y = found.scale.evidence["center_xy"]
    assert 0 <= x <= 1280 and 0 <= y <= 960
