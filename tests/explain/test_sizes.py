"""Measured sizes where they matter: the deep-lesion rule and the large-lump flag word the lesion's own size with the
scale's uncertainty ("about 6 mm (5-7)"), and their evidence carries the measurement."""

from __future__ import annotations

import pytest

from comedo.explain.answers import Answers
from comedo.explain.findings import Findings, LesionFacts
from comedo.explain.lesion_advice import advise_lesion
from comedo.explain.sizes import size_range_mm, size_words
from comedo.explain.triage import triage


@pytest.mark.parametrize(("mm", "pct", "words"), [
    (6.1, 6.5, "about 6 mm (5-7)"), (6.1, None, "about 6 mm"), (6.1, 0.5, "about 6 mm"),
    (11.4, 4.0, "about 11 mm (10-12)"), (1.84, 10.0, "about 1.8 mm (1.5-2.2)")])
def test_size_words(mm: float, pct: float | None, words: str) -> None:
    assert size_words(mm, pct) == words


def test_the_range_is_two_standard_deviations() -> None:
    assert size_range_mm(10.0, 5.0) == pytest.approx((9.0, 11.0))
    assert size_range_mm(10.0, None) is None


def _photo(*lesions: LesionFacts) -> Findings:
    return Findings(Answers(), True, len(lesions), max_diameter_mm=max((les.diameter_mm or 0) for les in lesions),
                    lesions=lesions)


def test_a_nodule_sized_lesion_is_worded_with_its_measurement() -> None:
    lesion = LesionFacts(3, None, "needs_scale", diameter_mm=6.1, size_uncertainty_pct=6.5)
    f = _photo(LesionFacts(1, "papule", diameter_mm=2.0, size_uncertainty_pct=6.5), lesion)
    advice = advise_lesion(lesion, f, photo_blocked=False)
    assert advice.code == "lesion_nodule_sized"
    assert advice.text.startswith("It is about 6 mm (5-7) across, 5 mm or more")
    reason = next(r for r in triage(f).reasons if r.code == "nodule_or_cyst")
    assert reason.evidence["lesion_sizes_mm"] == [{"lesion": 3, "diameter_mm": 6.1, "range_mm": [5.3, 6.9],
                                                   "uncertainty_pct": 6.5}]
    assert reason.text.endswith("Measured with the photo's scale: lesion 3 about 6 mm (5-7) across.")


def test_a_measured_lesion_of_10_mm_raises_the_large_lump_flag_with_its_size() -> None:
    f = _photo(LesionFacts(1, "papule", diameter_mm=4.0, size_uncertainty_pct=3.0),
               LesionFacts(2, "papule", diameter_mm=11.4, size_uncertainty_pct=3.0))
    reason = next(r for r in triage(f).reasons if r.code == "large_lump")
    assert reason.evidence["measured_diameter_mm"] == 11.4
    assert reason.evidence["lesion_sizes_mm"][0]["lesion"] == 2
    assert "lesion 2 about 11 mm (11-12) across" in reason.text  # 11.4 mm, 3 % a SD: 10.7-12.1
    assert "large_lump" not in {r.code for r in triage(_photo(LesionFacts(1, "papule", diameter_mm=9.0))).reasons}
