"""Each lesion's own extraction advice: the photo's advice is the most cautious of its lesions, and each lesion
says why it may or may not be touched (its type, a red ring, the danger triangle)."""

from __future__ import annotations

from comedo.explain.advice import DANGER_TRIANGLE, Extraction
from comedo.types import IrritationGrade, LesionGroup, LesionType

__all__ = ["lesion_advice"]


def lesion_advice(type_label: str | None, irritation: IrritationGrade, in_danger_triangle: bool,
                  photo: Extraction) -> tuple[str, str]:
    """(advice, why) for one lesion: "ok_with_care" only for a calm comedone in a photo whose advice allows it."""
    group = LesionType.group_of(type_label)
    red = irritation in (IrritationGrade.MODERATE, IrritationGrade.MARKED)
    where = f" It is in {DANGER_TRIANGLE}: never squeeze it there." if in_danger_triangle else ""
    if group is LesionGroup.DEEP:
        return "do_not_extract", "A nodule or cyst is deep: only a professional should drain it." + where
    if group is LesionGroup.INFLAMED:
        return "do_not_extract", "An inflamed papule or pustule: leave it to settle." + where
    if type_label is None:
        return "do_not_extract", "Its type could not be judged; only a known blackhead or whitehead is safe." + where
    if red:
        return "do_not_extract", "It has a red ring around it (inflamed): leave it to settle." + where
    if photo.advice != "ok_with_care":
        return "do_not_extract", "Not while the photo's advice says no (see the extraction advice)."
    if in_danger_triangle:
        return "ok_with_care", (f"A calm comedone in {DANGER_TRIANGLE}: be especially gentle and clean, and stop "
                                "at the first sign of redness or pain.")
    return "ok_with_care", "A calm comedone: follow the protocol."
