"""Each lesion's own extraction advice, derived once with the photo's (``comedo.explain.extraction``): a code, its
words and what it relied on. Only a calm comedone is ever "ok_with_care": typed so by its own crop, or untyped on a
close-up the whole frame reads as a calm comedone, or untyped where the person said it is a blackhead or whitehead.
The person's word never opens a lesion the photo shows as deep or inflamed."""

from __future__ import annotations

from dataclasses import dataclass

from comedo.explain.findings import COMEDO_TYPES, Findings, LesionFacts
from comedo.explain.reasons import WORDING
from comedo.explain.sizes import size_words

__all__ = ["LesionAdvice", "advise_lesion", "answer_applies"]


@dataclass(frozen=True)
class LesionAdvice:
    """One lesion's advice: ``number`` as on its ring and in the table, ``code`` a key of the wording table,
    ``relied_on`` "photo" (its own type or ring), "close_up" (the whole frame's type) or "answer" (lesion_type)."""

    number: int
    advice: str  # "ok_with_care" | "do_not_extract"
    code: str
    text: str
    relied_on: str = "photo"

    @property
    def ok(self) -> bool:
        return self.advice == "ok_with_care"


def answer_applies(findings: Findings) -> bool:
    """The person's ``lesion_type`` names a comedone and points at the photo's spot: a close-up (the frame is the
    spot) not read as inflamed or deep, or a wider view with one lesion listed."""
    if findings.answers.lesion_type not in COMEDO_TYPES:
        return False
    if findings.close_up:
        return findings.photo_group not in ("inflamed", "deep")
    return len(findings.lesions) == 1


def advise_lesion(lesion: LesionFacts, findings: Findings, *, photo_blocked: bool) -> LesionAdvice:
    """(advice, code, words) for one lesion; ``photo_blocked`` when the photo's advice says no for every lesion
    (the lesion's own reason, where it has one, is given first)."""
    group = lesion.group

    def no(code: str) -> LesionAdvice:
        where = WORDING["lesion_in_triangle_no"] if lesion.in_danger_triangle else ""
        text = WORDING[code]
        if "{size}" in text:  # its measurement, with the scale's uncertainty: "about 6 mm (5-7)"
            text = text.format(size=size_words(lesion.diameter_mm or 0.0, lesion.size_uncertainty_pct))
        return LesionAdvice(lesion.number, "do_not_extract", code, text + where)

    if group == "lookalike":
        return no("lesion_lookalike")
    if group == "deep":
        return no("lesion_deep")
    if lesion.nodule_sized:
        return no("lesion_nodule_sized")
    if lesion.untyped_code == "needs_scale":
        return no("lesion_needs_scale")
    if group == "inflamed":
        return no("lesion_inflamed")
    if lesion.red_ring:
        return no("lesion_red_ring")
    frame_unsure = findings.close_up and findings.photo_group != "comedonal"  # crops there cannot overrule it
    if group == "comedonal" and not frame_unsure:
        code, basis = "lesion_calm_comedone", "photo"
    elif group is None and findings.close_up and findings.photo_group == "comedonal":
        code, basis = "lesion_by_close_up", "close_up"
    elif answer_applies(findings):
        code, basis = "lesion_by_answer", "answer"
    elif group == "comedonal":
        return no("lesion_frame_unsure")
    else:
        return no("lesion_type_unknown")
    if photo_blocked:
        return no("lesion_photo_says_no")
    where = WORDING["lesion_in_triangle_ok"] if lesion.in_danger_triangle else ""
    return LesionAdvice(lesion.number, "ok_with_care", code, WORDING[code] + where, basis)
