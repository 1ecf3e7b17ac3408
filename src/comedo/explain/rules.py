"""The triage rules table: each row a code, a level, a check over the findings that returns the evidence when it
fires, what it fires on in words, and its source. docs/triage.md's table is generated from it
(``comedo.explain.rules_doc``; a test holds the two equal).

Sources: the project's brief (``seed``: red flags of a spot that may be infected); NHS pages on skin abscess,
cellulitis, folliculitis, keloid scars and acne; NICE NG198 "Acne vulgaris: management" (2021) 1.1 (nodules or
cysts make acne moderate to severe) and 1.5 (referral); the American Academy of Dermatology's acne self-care and
its pages on acne look-alikes (milia, syringoma, flat warts); the cavernous-sinus risk of the facial danger
triangle (e.g. Plewig & Kligman, *Acne and Rosacea*, 3rd ed.).
"""

from __future__ import annotations

from comedo.explain.findings import Findings
from comedo.explain.levels import Check, Rule, TriageLevel

__all__ = ["RULES", "LOOKALIKES"]


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
    """In the danger triangle (answered, or lesions seen there), signs of spreading infection make the veins'
    route inwards a reason to see a doctor soon."""
    where = f.in_danger_triangle
    if where is None:
        return None
    signs = dict(f.infection_signs)
    if f.answers.fever:
        signs["fever"] = True
    return {**where, **signs} if signs else None


def _danger_triangle_inflamed(f: Findings) -> dict[str, object] | None:
    """An inflamed (or not ruled out) spot there without those signs: never squeeze it, and when to see a doctor."""
    if f.in_danger_triangle is None or _danger_triangle_infected(f):
        return None
    answered = _near("face_danger_triangle")(f)
    if f.triangle_not_calm:
        numbers = [les.number for les in f.lesions if les.in_danger_triangle
                   and (les.red_ring or les.type_label is None or les.group != "comedonal")]
        seen = {"seen_in_photo": f.in_danger_triangle["seen_in_photo"]}  # type: ignore[index]
        return {**(answered or {}), **seen, **({"lesions": numbers} if numbers else {})}
    return answered


def _large_lump(f: Findings) -> dict[str, object] | None:
    ev: dict[str, object] = {}
    if f.answers.size_mm is not None and f.answers.size_mm >= 10:
        ev["size_mm"] = f.answers.size_mm
    if f.max_diameter_mm is not None and f.max_diameter_mm >= 10:
        ev["measured_diameter_mm"] = round(f.max_diameter_mm, 1)
        largest = max((les for les in f.lesions if les.diameter_mm is not None),
                      key=lambda les: les.diameter_mm or 0.0, default=None)
        if largest is not None:  # the lesion's own outline (comedo.measure.lesion_size) and the scale's uncertainty
            ev["lesion_sizes_mm"] = [largest.measured]
    return ev or None


def _ordinary_pus(f: Findings) -> dict[str, object] | None:
    """Pus ticked without any sign that makes it a red flag: a pustule's head. Do not squeeze."""
    return {"pus": True} if f.answers.pus and "pus" not in f.infection_signs else None


def _extraction_unresolved(f: Findings) -> dict[str, object] | None:
    return {"home_extraction_tried": True} if f.answers.home_extraction_tried else None


def _days(f: Findings) -> dict[str, object] | None:
    d = f.answers.days_present
    return {"days_present": d} if d is not None and d > 14 else None


def _treatment(f: Findings) -> dict[str, object] | None:
    w = f.answers.treatment_weeks_without_improvement
    return {"treatment_weeks_without_improvement": w} if w is not None and w >= 12 else None


def _severe_acne(f: Findings) -> dict[str, object] | None:
    if f.hayashi_grade is not None and f.hayashi_grade >= 2 and f.lesion_count > 0:
        return {"hayashi_grade": f.hayashi_grade, "lesion_count": f.lesion_count}
    return None


def _nice(f: Findings) -> dict[str, object] | None:
    return {"nice_band": f.nice_band} if f.nice_band == "moderate_to_severe" else None


def _fever_alone(f: Findings) -> dict[str, object] | None:
    return {"fever": True} if f.answers.fever else None


def _lookalike(name: str) -> Check:
    def check(f: Findings) -> dict[str, object] | None:
        return {"photo_type": name} if name in f.lookalikes_seen else None

    return check


U, S, R, C = TriageLevel.URGENT, TriageLevel.SOON, TriageLevel.ROUTINE, TriageLevel.SELF_CARE
# Look-alikes of acne that must not be squeezed: (type, level, source). The close-up detector
# (comedo.detect.closeup) pools them in one class, so what it sees is "lookalike" (a close-up most of whose rings it
# typed a look-alike); the named rows wait for a network that tells them apart.
LOOKALIKES = (("milium", C, "AAD"), ("syringoma", C, "AAD"), ("flat_wart", C, "NHS"), ("keloid", R, "NHS"),
              ("folliculitis", C, "NHS"), ("lookalike", C, "AAD"))
_INFECTION = "warmth, spreading redness or a foul smell; or pus from a lump or cyst, or with warmth, spreading " \
             "redness or fever"
RULES: tuple[Rule, ...] = (
    Rule("red_streaks", U, _answer("red_streaks"), "red streaks spread from the spot (lymphangitis)", "NHS"),
    Rule("eye_swelling_or_vision_change", U, _answer("eye_swelling_or_vision_change"),
         "eye swelling or change in vision (orbital cellulitis)", "NHS"),
    Rule("severe_headache", U, _answer("severe_headache"), "severe headache", "seed"),
    Rule("fever_with_infection_or_nodule", U, _fever_with_infection_or_nodule,
         "fever with infection signs, or with a nodule or cyst (reported or likely in the photo)", "seed"),
    Rule("fever_with_joint_pain", U, _both(_answer("fever"), _answer("joint_pain")),
         "fever with joint pain (acne fulminans)", "NICE NG198"),
    Rule("infection_immunocompromised", U, _both(_infection, _answer("immunocompromised_or_diabetes")),
         "infection signs in someone immunocompromised or diabetic", "NHS"),
    Rule("spreading_redness_near_eye", U, _both(_answer("spreading_redness"), _answer("location", "near_eye")),
         "spreading redness near the eye", "NHS"),
    Rule("infection_signs", S, _infection, f"infection signs: {_INFECTION}", "seed"),
    Rule("fever", S, _fever_alone, "fever, on its own", "seed"),
    Rule("worse_after_extraction", S, _answer("worse_after_extraction"), "worse after a home extraction", "seed"),
    Rule("inflamed_near_eye", S, _near("near_eye"), "an inflamed (or not ruled out) spot near the eye", "NHS"),
    Rule("infected_danger_triangle", S, _danger_triangle_infected,
         "in the danger triangle (answered, or lesions placed there by the face's landmarks) with infection signs "
         "or fever", "seed"),
    Rule("inflamed_danger_triangle", C, _danger_triangle_inflamed,
         "an inflamed (or not ruled out) spot in the danger triangle without those signs: never squeeze it, and "
         "when to see a doctor", "seed"),
    Rule("large_lump", R, _large_lump, "10 mm or larger, reported or measured (with a scale)", "NHS"),
    Rule("nodule_or_cyst", R, _nodule_cyst,
         "a nodule or cyst: reported, or likely in the photo (the whole frame's deep-group probability at or over "
         "the type card's deep_likely, fitted on the training folder's held-out families; a lesion typed nodule or "
         "cyst; or, with a scale, a lesion 5 mm or more across that is not a comedone)", "NICE NG198"),
    Rule("severe_pain", R, _answer("pain", "severe"), "severe pain", "seed"),
    Rule("growing_fast", R, _answer("growing_fast"), "growing fast", "seed"),
    Rule("recurring", R, _answer("recurring"), "keeps coming back in the same place", "seed"),
    Rule("home_extraction_unresolved", R, _extraction_unresolved,
         "a home extraction was tried (asking about it means it did not resolve)", "seed"),
    Rule("present_over_14_days", R, _days, "present more than 14 days", "seed"),
    Rule("severe_acne", R, _severe_acne, "Hayashi severe or worse, with lesions listed", "NICE NG198"),
    Rule("nice_moderate_to_severe", R, _nice, "NICE NG198 moderate-to-severe band in the photo", "NICE NG198"),
    Rule("scarring", R, _answer("scarring"), "scarring", "NICE NG198"),
    Rule("treatment_not_working", R, _treatment, "12 weeks or more of treatment without improvement",
         "NICE NG198"),
    *(Rule(f"lookalike_{name}", level, _lookalike(name), "the photo reads as " + (
        "a look-alike of acne (milium, syringoma, flat wart, keloid or folliculitis, not told apart)"
        if name == "lookalike" else f"{name.replace('_', ' ')}, a look-alike of acne") + ": do not squeeze it", source)
      for name, level, source in LOOKALIKES),
    Rule("pus", C, _ordinary_pus, "pus without warmth, spreading redness, fever or a lump: a pustule's head; "
         "do not squeeze it (0.10: this was routine, and pus with mild pain was soon)", "AAD"),
)
