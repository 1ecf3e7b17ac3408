"""The plain-language text of every triage reason, keyed by the rule's stable code.

Its own module so that the rules (``comedo.explain.triage``) and the advice built on them
(``comedo.explain.advice``) both read it without importing each other.
"""

from __future__ import annotations

__all__ = ["reason_text", "REASON_CODES"]

_REASONS = {
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
    "infection_signs": "Warmth, spreading redness, a bad smell or painful pus are signs of infection; a doctor "
                       "should see it within a day or two.",
    "fever": "A fever with a skin spot should be checked by a doctor within a day or two.",
    "worse_after_extraction": "The spot got worse after it was squeezed; a doctor should check it for "
                              "infection within a day or two.",
    "inflamed_near_eye": "An inflamed spot near the eye should be looked at by a doctor within a day or two "
                         "and never squeezed.",
    "infected_danger_triangle": "A spot between the corners of the mouth and the bridge of the nose (the 'danger "
                                "triangle') with signs of infection (warmth, spreading redness, pus with pain, "
                                "fever) drains towards veins inside the skull; a doctor should see it within a day "
                                "or two. Never squeeze it.",
    "inflamed_danger_triangle": "Do not squeeze a pimple between the corners of the mouth and the bridge of the nose "
                                "(the 'danger triangle'): that skin drains towards veins inside the skull. Leave it "
                                "to settle; see a doctor within a day or two if it becomes warm, swollen or more "
                                "painful, the redness spreads, or you get a fever.",
    "large_lump": "A lump 10 mm or larger is deeper than ordinary acne; book a GP or dermatologist.",
    "nodule_or_cyst": "Nodules and cysts are deep and scar easily; a GP or dermatologist can treat them "
                      "(for example with an injection or prescription treatment).",
    "severe_pain": "Severe pain is not usual for a simple spot; book a GP or dermatologist.",
    "growing_fast": "A spot that grows quickly should be seen by a GP or dermatologist.",
    "recurring": "A spot that keeps coming back in the same place may be a cyst or a blocked gland that needs "
                 "professional treatment.",
    "pus": "A spot with pus is best left to drain by itself or be opened by a professional.",
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

REASON_CODES = frozenset(_REASONS)


def reason_text(code: str, evidence: dict[str, object] | None = None) -> str:
    """The rule's text; where the photo itself placed lesions in the danger triangle, it says so."""
    text = _REASONS[code]
    seen = (evidence or {}).get("seen_in_photo")
    if isinstance(seen, dict) and seen.get("lesions"):
        n = int(seen["lesions"])
        text += (f" Seen in the photo: {n} spot{'s' if n != 1 else ''} in the danger triangle, found from the face's "
                 "landmarks.")
    return text
