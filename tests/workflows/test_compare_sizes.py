"""Compare reports each matched lesion's growth in mm (its own outline), only where both photos have a scale."""

from __future__ import annotations

import pytest
from synthetic import red_bump_photo

import comedo
from comedo.workflows.compare import Comparison, LesionMatch, comparison_document
from comedo.workflows.registration import Registration


@pytest.fixture(scope="module")
def bumps() -> tuple[comedo.Analysis, comedo.Analysis, float, float]:
    (small, d_small), (big, d_big) = red_bump_photo(radius=20), red_bump_photo(radius=32)
    return comedo.analyze(small, mm_per_px=0.1), comedo.analyze(big, mm_per_px=0.1), d_small, d_big


def _central(analysis: comedo.Analysis) -> int:
    c = analysis.lesions.centers
    return int(((c[:, 0] - 320) ** 2 + (c[:, 1] - 240) ** 2).argmin())


def _comparison(before: comedo.Analysis, after: comedo.Analysis) -> Comparison:
    reg = Registration(True, 0.9, None, 100, 120, 0.95, 0.97, "")
    return Comparison(reg, (LesionMatch(_central(before), _central(after), 1.0),))


def test_growth_in_millimetres_when_both_photos_have_a_scale(bumps) -> None:
    before, after, d_small, d_big = bumps
    doc = comparison_document(before, after, _comparison(before, after))
    (pair,) = doc["pairs"]
    assert pair["growth_mm"] == pytest.approx((d_big - d_small) * 0.1, abs=0.6)  # 1.2 mm drawn
    assert pair["before_diameter_mm"] == pytest.approx(float(before.lesions.diameters[_central(before)]) * 0.1,
                                                       abs=0.01)
    assert pair["growth_sd_mm"] == 0.0  # given scales are exact
    assert doc["growth"] == {"unit": "mm", "largest_growth_mm": pair["growth_mm"], "largest_shrinkage_mm": None}


def test_no_growth_without_a_scale_in_both(bumps) -> None:
    before, after, _, _ = bumps
    unscaled = comedo.analyze(after.image.pixels)
    doc = comparison_document(before, unscaled, _comparison(before, unscaled))
    assert doc["pairs"][0]["growth_mm"] is None
    assert doc["growth"]["unit"] is None and "after photo" in doc["growth"]["reason"]
