"""The acne-vs-clean figures, overall and by skin tone, on hand-made results (no network needed)."""

from __future__ import annotations

from comedo.measure.skin_tone import ita_band
from comedo.workflows.evaluate_faces import FaceResult, summarise_faces


def _r(acne: bool, lesions: int, grade: int | None, ita: float | None, source: str) -> FaceResult:
    return FaceResult(f"{source}.jpg", acne, source, lesions, lesions, grade, ita)


def test_separation_and_what_clean_faces_are_told_by_band() -> None:
    results = ([_r(True, 5 + i % 3, 1, 20.0, f"a{i}") for i in range(20)]  # tan acne
               + [_r(False, i % 2, 0, 20.0, f"c{i}") for i in range(20)]  # tan clean: 0 or 1 lesion, mild
               + [_r(False, 3, 1, -10.0, f"d{i}") for i in range(5)])  # brown clean, over-called
    s = summarise_faces(results, rounds=50)
    tan, brown = s["by_ita_band"]["tan"], s["by_ita_band"]["brown"]
    assert tan["auc_lesion_count"] == 1.0 and tan["clean_graded_mild"] == 1.0 and tan["acne_with_a_lesion"] == 1.0
    assert brown["clean"] == 5 and brown["clean_graded_mild"] == 0.0 and brown["auc_lesion_count"] is None
    assert s["clean_graded_mild"] == round(20 / 25, 4) and "auc_lesion_count" in s["intervals_95"]
    assert tan["intervals_95"] and not brown["intervals_95"]  # intervals only from 20 photos


def test_ita_bands_follow_del_bino() -> None:
    assert [ita_band(v) for v in (60, 45, 30, 15, 0, -45, None, float("nan"))] == [
        "very_light", "light", "intermediate", "tan", "brown", "dark", "unknown", "unknown"]
