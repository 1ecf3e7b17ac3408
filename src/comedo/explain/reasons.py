"""Every sentence the verdict says, in one table keyed by stable codes: triage reasons, extraction reasons and each
lesion's advice. The rules decide (``comedo.explain.rules``, ``comedo.explain.verdict``); this module only words
them. A text may name evidence in braces (``{lesions}``: the lesion numbers, as on the rings and in the table).

Its own module so that the rules and the advice built on them both read it without importing each other.
"""

from __future__ import annotations

from comedo.explain.sizes import size_words

__all__ = ["reason_text", "REASON_CODES", "WORDING", "numbers_text"]

_TRIAGE = {
    "red_streaks": "Red streaks spreading from a spot can mean the infection is travelling along the lymph "
                   "vessels (lymphangitis). Get medical help today.",
    "eye_swelling_or_vision_change": "Swelling around the eye or any change in vision with a skin infection "
                                     "nearby needs same-day care to rule out orbital cellulitis.",
    "severe_headache": "A severe headache with an infected spot on the face needs same-day care: rarely, "
                       "facial infections spread inwards.",
    "fever_with_infection_or_nodule": "Fever together with an infected or deep spot suggests the infection is "
                                      "affecting the whole body. Get medical help today.",
    "fever_with_joint_pain": "Fever with joint pain alongside acne can be a sign of a rare systemic form "
                             "(acne fulminans) and needs same-day medical assessment.",
    "infection_immunocompromised": "Signs of infection in someone with diabetes or a weakened immune system "
                                   "can worsen quickly. Get medical help today.",
    "spreading_redness_near_eye": "Spreading redness near the eye can become orbital cellulitis. Get medical "
                                  "help today.",
    "infection_signs": "Warmth, spreading redness, a bad smell, or pus from a lump or cyst or with warmth, spreading "
                       "redness or fever, are signs of infection; a doctor should see it within a day or two.",
    "fever": "A fever with a skin spot should be checked by a doctor within a day or two.",
    "worse_after_extraction": "The spot got worse after it was squeezed; a doctor should check it for "
                              "infection within a day or two.",
    "inflamed_near_eye": "An inflamed spot near the eye should be looked at by a doctor within a day or two "
                         "and never squeezed.",
    "infected_danger_triangle": "A spot between the corners of the mouth and the bridge of the nose (the 'danger "
                                "triangle') with signs of infection (warmth, spreading redness, pus from a lump, "
                                "fever) drains towards veins inside the skull; a doctor should see it within a day "
                                "or two. Never squeeze it.",
    "inflamed_danger_triangle": "Do not squeeze a pimple between the corners of the mouth and the bridge of the nose "
                                "(the 'danger triangle'): that skin drains towards veins inside the skull. Leave it "
                                "to settle; see a doctor within a day or two if it becomes warm, swollen or more "
                                "painful, the redness spreads, or you get a fever.",
    "large_lump": "A lump 10 mm or larger is deeper than ordinary acne; book a GP or dermatologist.",
    "nodule_or_cyst": "A nodule or cyst (a deep lesion) is reported or likely in the photo. They are deep and scar "
                      "easily: see a GP or dermatologist, who can treat them (for example with prescription "
                      "treatment; NICE NG198 counts them as moderate-to-severe acne).",
    "severe_pain": "Severe pain is not usual for a simple spot; book a GP or dermatologist.",
    "growing_fast": "A spot that grows quickly should be seen by a GP or dermatologist.",
    "recurring": "A spot that keeps coming back in the same place may be a cyst or a blocked gland that needs "
                 "professional treatment.",
    "pus": "A white or yellow head of pus on a pimple (a pustule) is common and heals by itself: do not squeeze it. "
           "See a doctor if it becomes warm, the redness spreads, you get a fever, or the pus comes from a lump.",
    "home_extraction_unresolved": "It was squeezed at home and is still there; further squeezing risks "
                                  "infection and scarring. Book a GP, dermatologist or licensed esthetician.",
    "present_over_14_days": "A spot that has lasted more than two weeks should be checked.",
    "severe_acne": "The photo shows many lesions (Hayashi severe or worse); prescription treatment works better "
                   "than home care at this level.",
    "nice_moderate_to_severe": "The lesion counts fall in NICE's moderate-to-severe band, where prescription "
                               "treatment is recommended.",
    "scarring": "Acne that scars should be treated by a doctor early to prevent more scars.",
    "treatment_not_working": "Twelve weeks or more of treatment without improvement is the point to see a GP "
                             "or dermatologist (NICE NG198).",
    "no_red_flags": "Nothing reported or seen needs a professional; home care is reasonable. If it gets worse, "
                    "hurts, or lasts more than two weeks, see a GP or dermatologist.",
}


_LOOKALIKE = {
    "milium": "A milium is a tiny keratin cyst under a thin layer of skin, not a whitehead: squeezing cannot empty it "
              "and marks the skin. Leave it, or a professional can remove it.",
    "syringoma": "A syringoma is a small growth of a sweat duct, not acne: it cannot be squeezed out. A dermatologist "
                 "can remove it if it bothers you.",
    "flat_wart": "A flat wart is a viral growth, not acne: squeezing or picking spreads it. See a pharmacist or GP if "
                 "it spreads.",
    "keloid": "A keloid is raised scar tissue, not acne: squeezing or injuring it makes it grow. A GP or "
              "dermatologist can treat it.",
    "folliculitis": "Folliculitis is an inflamed hair follicle, not a comedone: do not squeeze it. See a GP if it "
                    "spreads or does not clear in a week or two.",
    "lookalike": "May not be acne: most of what the photo shows looks like a look-alike of acne (a milium, syringoma, "
                 "flat wart, keloid or folliculitis), which squeezing cannot empty and may spread or scar. Leave it; "
                 "a pharmacist, GP or dermatologist can tell what it is.",
}

_EXTRACTION = {
    "deep_lesion": "Nodules and cysts are deep: squeezing pushes their contents further in and scars. Only a "
                   "professional should drain them.",
    "infection": "It shows signs of infection; squeezing can spread it.",
    "danger_triangle_inflamed": "It is in the danger triangle of the face (between the corners of the mouth and the "
                                "bridge of the nose), where squeezing an inflamed spot can spread infection inwards.",
    "danger_triangle_seen": "In the danger triangle of the face (between the corners of the mouth and the bridge of "
                            "the nose) the photo shows {lesions}, inflamed or of a type not known; squeezing there can "
                            "spread infection inwards, so the advice for the photo is the most cautious one.",
    "near_eye": "It is near the eye; never squeeze there.",
    "ten_mm_or_more": "It is 10 mm or larger, which means it is deep.",
    "inflamed_answer": "It is inflamed (painful, warm, a head of pus, or a red papule or pustule, as you said); "
                       "inflamed spots should be left to settle, not squeezed.",
    "close_up_inflamed": "The close-up as a whole reads as an inflamed lesion (a papule or pustule), which should be "
                         "left to settle, not squeezed.",
    "photo_inflamed": "The photo as a whole reads mostly as inflamed lesions (papules or pustules), which should be "
                      "left to settle, not squeezed.",
    "deep_not_ruled_out": "A deep lesion (a nodule or cyst) is not ruled out in this photo; only a spot known to be "
                          "a blackhead or whitehead is safe to extract.",
    "red_rings": "Inflamed redness around {lesions}, {ringed} of the {comedones} comedones marked: inflamed "
                 "comedones should be left to settle.",
    "fever_or_immune": "With a fever, diabetes or a weakened immune system, any wound is riskier.",
    "triage_first": "The triage level says a doctor should see it first.",
    "lookalike": "The photo reads as a look-alike of acne, which must not be squeezed.",
    "no_lesion_found": "No lesion was found in the photo, so there is nothing it shows as safe to extract.",
    "type_not_known": "It is not known to be a blackhead or a ripe whitehead, the only kinds safe to extract. If "
                      "unsure, leave it or ask a professional.",
    "wide_comedonal": "The photo as a whole looks most like comedones, but on a wider view that does not tell which "
                      "lesion is a blackhead or a ripe whitehead, the only kinds safe to extract: take a close-up of "
                      "the spot to check it. If unsure, leave it or ask a professional.",
    "no_extractable_lesion": "None of the lesions marked is a calm blackhead or whitehead (each one's advice says "
                             "why): leave them alone.",
    "protocol_ok": "Blackheads (open comedones) and ripe, superficial whiteheads can be extracted gently at home, "
                   "following every step below.",
    "extract_only": "Only {lesions} may be extracted; leave every other lesion alone (marked do not extract: a "
                    "dashed ring and a cross).",
    "extract_these": "What may be extracted: {lesions}, following every step below.",
    "whitehead_ripe": "A whitehead is ripe only when a white head sits right at the surface; if not, wait.",
    "relied_on_answer": "You said it is a {lesion_type}: the photo could not judge the type of {lesions}, so your "
                        "word is taken for them.",
    "answer_only": "You said it is a {lesion_type}, with no photo to check it against: follow every step below.",
    "danger_triangle_care": "It lies in the danger triangle of the face: be especially gentle and clean, stop at the "
                            "first sign of redness or pain, and see a doctor if it becomes red, swollen or painful in "
                            "the days after.",
}

_LESION = {
    "lesion_deep": "A nodule or cyst is deep: only a professional should drain it.",
    "lesion_nodule_sized": "It is {size} across, 5 mm or more: the size of a nodule or cyst; do not squeeze it.",
    "lesion_needs_scale": "It may be a nodule or cyst (only the photo's scale can tell): do not squeeze it.",
    "lesion_inflamed": "An inflamed papule or pustule: leave it to settle.",
    "lesion_red_ring": "It has a red ring around it (inflamed): leave it to settle.",
    "lesion_type_unknown": "Its type could not be judged; only a known blackhead or whitehead is safe.",
    "lesion_frame_unsure": "Its crop reads as a comedone, but the close-up as a whole cannot be judged, and a crop "
                           "alone is not enough: only a spot known to be a blackhead or whitehead is safe.",
    "lesion_lookalike": "It reads as a look-alike of acne: do not squeeze it.",
    "lesion_photo_says_no": "Not while the photo's advice says no (see the extraction advice).",
    "lesion_calm_comedone": "A calm comedone: follow the protocol.",
    "lesion_by_close_up": "Its own crop was not typed, but the close-up as a whole reads as a calm comedone: follow "
                          "the protocol.",
    "lesion_by_answer": "The photo could not judge its type; you said it is a blackhead or whitehead: follow the "
                        "protocol.",
}

_TRIANGLE = {
    "lesion_in_triangle_no": " It is in the danger triangle: never squeeze it there.",
    "lesion_in_triangle_ok": " It is in the danger triangle: be especially gentle and clean, and stop at the first "
                             "sign of redness or pain.",
}

WORDING: dict[str, str] = {**_TRIAGE, **{f"lookalike_{k}": v for k, v in _LOOKALIKE.items()}, **_EXTRACTION,
                           **_LESION, **_TRIANGLE}
REASON_CODES = frozenset(_TRIAGE) | {f"lookalike_{k}" for k in _LOOKALIKE}


def numbers_text(numbers: object) -> str:
    """Lesion numbers in words: "lesion 3", "lesions 3 and 7", "lesions 3, 7 and 9"."""
    items = [str(n) for n in numbers] if isinstance(numbers, (list, tuple)) else [str(numbers)]
    if len(items) == 1:
        return f"lesion {items[0]}"
    return f"lesions {', '.join(items[:-1])} and {items[-1]}"


def reason_text(code: str, evidence: dict[str, object] | None = None) -> str:
    """The words for ``code``, with the evidence it names filled in; where the photo itself placed lesions in the
    danger triangle, it says so."""
    ev = evidence or {}
    text = WORDING[code]
    if "{" in text:
        fields = {k: (numbers_text(v) if k == "lesions" else str(v).replace("_", " ")) for k, v in ev.items()}
        text = text.format_map(fields)
    measured = ev.get("lesion_sizes_mm")
    if isinstance(measured, list) and measured:  # the measurement the rule read, with the scale's uncertainty
        text += " Measured with the photo's scale: " + ", ".join(
            f"{numbers_text(m['lesion'])} {size_words(float(m['diameter_mm']), m.get('uncertainty_pct'))} across"
            for m in measured) + "."
    seen = ev.get("seen_in_photo")
    if isinstance(seen, dict) and seen.get("lesions") and code in _TRIAGE:
        n = int(seen["lesions"])
        which = f" ({numbers_text(ev['lesions'])})" if ev.get("lesions") else ""
        text += (f" Seen in the photo: {n} spot{'s' if n != 1 else ''} in the danger triangle{which}, found from the "
                 "face's landmarks.")
    return text
