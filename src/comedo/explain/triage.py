"""Triage: self-care, routine, soon or urgent, with every reason stated.

A table of rules, each ``Rule(code, level, check)``: ``check`` looks at the
findings and returns the evidence (what was reported or measured) when the rule
fires. The highest level among the rules that fire wins. When the evidence is
incomplete the rules err toward the higher level (an inflamed-or-unknown spot
near the eye is treated as inflamed).

Sources for the red flags: NHS "Skin abscess", "Cellulitis" and "Acne" pages;
NICE NG198 "Acne vulgaris: management" (2021), sections 1.1 and 1.5 (referral);
the cavernous-sinus risk of the facial danger triangle (e.g. Plewig & Kligman,
*Acne and Rosacea*, 3rd ed.). Plain-language text for each code lives in
``comedo.explain.reasons``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import IntEnum

from comedo.explain.findings import Findings
from comedo.explain.reasons import reason_text

__all__ = ["TriageLevel", "Reason", "Triage", "triage", "RULES"]


class TriageLevel(IntEnum):
    SELF_CARE = 0
    ROUTINE = 1
    SOON = 2
    URGENT = 3

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class Reason:
    code: str
    level: TriageLevel
    text: str
    evidence: dict[str, object]


@dataclass(frozen=True)
class Triage:
    level: TriageLevel
    reasons: tuple[Reason, ...]








Check = Callable[[Findings], "dict[str, object] | None"]


@dataclass(frozen=True)
class Rule:
    code: str
    level: TriageLevel
    check: Check


def _answer(key: str, value: object = True) -> Check:
    def check(f: Findings) -> dict[str, object] | None:
        return {key: value} if getattr(f.answers, key) == value else None

    return check


def _both(first: Check, second: Check) -> Check:
    def check(f: Findings) -> dict[str, object] | None:
        a, b = first(f), second(f)
        return {**a, **b} if a and b else None

    return check


def _infection(f: Findings) -> dict[str, object] | None:
    return f.infection_signs or None


def _nodule_cyst(f: Findings) -> dict[str, object] | None:
    return f.nodule_or_cyst or None


def _fever_with_infection_or_nodule(f: Findings) -> dict[str, object] | None:
    if not f.answers.fever:
        return None
    other = f.infection_signs or f.nodule_or_cyst
    return {"fever": True, **other} if other else None


def _near(location: str) -> Check:
    def check(f: Findings) -> dict[str, object] | None:
        if f.answers.location != location:
            return None
        inflamed = f.inflammation
        if inflamed is None:
            return None
        ev: dict[str, object] = {"location": location}
        ev.update({"inflammation": "not ruled out"} if inflamed.get("unknown") else inflamed)
        return ev

    return check


def _danger_triangle_infected(f: Findings) -> dict[str, object] | None:
    """In the danger triangle (answered, or lesions seen there in the photo), signs of spreading infection (warmth,
    spreading redness, a bad smell, painful pus, fever) are what make the veins' route inwards a reason to see a
    doctor soon."""
    where = f.in_danger_triangle
    if where is None:
        return None
    signs = dict(f.infection_signs)
    if f.answers.fever:
        signs["fever"] = True
    return {**where, **signs} if signs else None


def _danger_triangle_inflamed(f: Findings) -> dict[str, object] | None:
    """An inflamed (or not ruled out) spot there without those signs: no higher level, but it must not be
    squeezed, and the person is told when to see a doctor. From the photo: lesions in the triangle that are
    inflamed or of a type not known."""
    if f.in_danger_triangle is None or _danger_triangle_infected(f):
        return None
    answered = _near("face_danger_triangle")(f)
    if f.triangle_not_calm:
        return {**(answered or {}), "seen_in_photo": f.in_danger_triangle["seen_in_photo"]}
    return answered


def _large_lump(f: Findings) -> dict[str, object] | None:
    ev: dict[str, object] = {}
    if f.answers.size_mm is not None and f.answers.size_mm >= 10:
        ev["size_mm"] = f.answers.size_mm
    if f.max_diameter_mm is not None and f.max_diameter_mm >= 10:
        ev["measured_diameter_mm"] = round(f.max_diameter_mm, 1)
    return ev or None


def _extraction_unresolved(f: Findings) -> dict[str, object] | None:
    # Asking about a spot after squeezing it means it did not resolve.
    return {"home_extraction_tried": True} if f.answers.home_extraction_tried else None


def _days(f: Findings) -> dict[str, object] | None:
    d = f.answers.days_present
    return {"days_present": d} if d is not None and d > 14 else None


def _treatment(f: Findings) -> dict[str, object] | None:
    w = f.answers.treatment_weeks_without_improvement
    return {"treatment_weeks_without_improvement": w} if w is not None and w >= 12 else None


def _severe_acne(f: Findings) -> dict[str, object] | None:
    if f.hayashi_grade is not None and f.hayashi_grade >= 2:
        return {"hayashi_grade": f.hayashi_grade, "lesion_count": f.lesion_count}
    return None


def _nice(f: Findings) -> dict[str, object] | None:
    return {"nice_band": f.nice_band} if f.nice_band == "moderate_to_severe" else None


def _fever_alone(f: Findings) -> dict[str, object] | None:
    return {"fever": True} if f.answers.fever else None


U, S, R, C = TriageLevel.URGENT, TriageLevel.SOON, TriageLevel.ROUTINE, TriageLevel.SELF_CARE
RULES: tuple[Rule, ...] = (
    Rule("red_streaks", U, _answer("red_streaks")),
    Rule("eye_swelling_or_vision_change", U, _answer("eye_swelling_or_vision_change")),
    Rule("severe_headache", U, _answer("severe_headache")),
    Rule("fever_with_infection_or_nodule", U, _fever_with_infection_or_nodule),
    Rule("fever_with_joint_pain", U, _both(_answer("fever"), _answer("joint_pain"))),
    Rule("infection_immunocompromised", U, _both(_infection, _answer("immunocompromised_or_diabetes"))),
    Rule("spreading_redness_near_eye", U, _both(_answer("spreading_redness"), _answer("location", "near_eye"))),
    Rule("infection_signs", S, _infection),
    Rule("fever", S, _fever_alone),
    Rule("worse_after_extraction", S, _answer("worse_after_extraction")),
    Rule("inflamed_near_eye", S, _near("near_eye")),
    Rule("infected_danger_triangle", S, _danger_triangle_infected),
    Rule("inflamed_danger_triangle", C, _danger_triangle_inflamed),
    Rule("large_lump", R, _large_lump),
    Rule("nodule_or_cyst", R, _nodule_cyst),
    Rule("severe_pain", R, _answer("pain", "severe")),
    Rule("growing_fast", R, _answer("growing_fast")),
    Rule("recurring", R, _answer("recurring")),
    Rule("pus", R, _answer("pus")),
    Rule("home_extraction_unresolved", R, _extraction_unresolved),
    Rule("present_over_14_days", R, _days),
    Rule("severe_acne", R, _severe_acne),
    Rule("nice_moderate_to_severe", R, _nice),
    Rule("scarring", R, _answer("scarring")),
    Rule("treatment_not_working", R, _treatment),
)


def triage(findings: Findings) -> Triage:
    """Apply every rule; the highest level that fires wins (self-care when none do)."""
    reasons = []
    for rule in RULES:
        evidence = rule.check(findings)
        if evidence:
            reasons.append(Reason(rule.code, rule.level, reason_text(rule.code, evidence), evidence))
    reasons.sort(key=lambda r: -r.level)
    if not reasons:
        return Triage(TriageLevel.SELF_CARE, (Reason("no_red_flags", TriageLevel.SELF_CARE,
                                                      reason_text("no_red_flags"), {}),))
    return Triage(reasons[0].level, tuple(reasons))
