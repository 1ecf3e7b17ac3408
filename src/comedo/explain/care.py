"""The home-care plan and the words for each triage level. Care tips follow the American Academy of Dermatology's
acne self-care guidance and NICE NG198 (skin care advice, 1.2); each tip says why it applies."""

from __future__ import annotations

from dataclasses import dataclass

from comedo.explain.findings import COMEDO_TYPES, Findings
from comedo.explain.levels import TriageLevel

__all__ = ["LEVEL_TEXT", "CareTip", "care_plan"]


LEVEL_TEXT = {
    TriageLevel.SELF_CARE: "Self-care: home care is reasonable.",
    TriageLevel.ROUTINE: "Routine: see a GP or dermatologist (book an appointment).",
    TriageLevel.SOON: "Soon: see a doctor within a day or two.",
    TriageLevel.URGENT: "Urgent: get medical help today (same day, or emergency services if severe).",
}


@dataclass(frozen=True)
class CareTip:
    code: str
    text: str
    why: str


def care_plan(findings: Findings, level: TriageLevel) -> tuple[CareTip, ...]:
    """Home-care tips chosen by the findings, each tied to why it applies."""
    a = findings.answers
    types = set(findings.types_seen) | ({a.lesion_type} if a.lesion_type else set())
    comedones = bool(types & COMEDO_TYPES)
    inflamed = bool(findings.inflammation and not findings.inflammation.get("unknown"))
    tips = [CareTip("gentle_cleansing", "Wash twice a day with a mild, fragrance-free cleanser and lukewarm "
                    "water; do not scrub.", "Scrubbing and harsh soaps irritate skin and can worsen acne.")]
    if comedones or not types:
        tips.append(CareTip("salicylic_acid", "Use a salicylic acid (BHA, 0.5-2 %) cleanser or leave-on product "
                            "once a day, building up slowly.",
                            "Salicylic acid dissolves the plugs in pores that form blackheads and whiteheads."
                            if comedones else "Salicylic acid keeps pores clear, which helps most kinds of acne."))
    if inflamed or types & {"papule", "pustule"}:
        tips.append(CareTip("benzoyl_peroxide", "Apply a thin layer of benzoyl peroxide 2.5-5 % to the inflamed "
                            "areas once a day; it can bleach fabric.",
                            "Benzoyl peroxide kills acne bacteria and calms red, inflamed spots."))
    tips.append(CareTip("non_comedogenic", "Choose products and make-up labelled non-comedogenic or oil-free.",
                        "Heavy, oily products can block pores and start new comedones."))
    tips.append(CareTip("moisturise", "Use a light, non-comedogenic moisturiser every day, even on oily skin.",
                        "Acne treatments dry the skin; a moisturiser keeps the barrier intact so you can keep "
                        "using them."))
    if not findings.infection_signs and (inflamed or types & {"closed_comedo", "pustule", "nodule", "cyst"}):
        tips.append(CareTip("warm_compress", "Hold a clean warm (not hot) damp cloth on the spot for 10-15 "
                            "minutes, 3-4 times a day.",
                            "Warmth eases pain and helps a spot come to a head and drain on its own."))
    tips.append(CareTip("clean_hands_and_tools", "Wash your hands before touching your face; clean phone "
                        "screens, pillowcases and any tools.", "Hands and surfaces carry bacteria to the skin."))
    tips.append(CareTip("no_nails", "Never squeeze with fingernails, pins or needles.",
                        "Nails tear the skin and push the contents deeper, causing infection and scars."))
    if level >= TriageLevel.ROUTINE:
        tips.append(CareTip("see_professional", LEVEL_TEXT[level], "See the reasons above."))
    return tuple(tips)
