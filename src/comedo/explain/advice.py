"""Plain-language text keyed by stable codes: triage reasons, the home-care plan
and the safe-extraction advice. The rules decide; this module only words it.

Care tips follow the American Academy of Dermatology's acne self-care guidance
and NICE NG198 (skin care advice, 1.2); the extraction protocol is the one
taught for comedone extraction (sterilise, find the core, gentle even pressure
with an extractor or gloved fingers, stop if nothing releases, aftercare).
"""

from __future__ import annotations

from dataclasses import dataclass

from comedo.explain.findings import COMEDO_TYPES, Findings
from comedo.explain.reasons import reason_text
from comedo.explain.triage import Triage, TriageLevel, triage

__all__ = ["reason_text", "LEVEL_TEXT", "CareTip", "care_plan", "Extraction", "extraction_advice",
           "EXTRACTION_STEPS", "TriageReport", "build_report"]


LEVEL_TEXT = {
    TriageLevel.SELF_CARE: "Self-care: home care is reasonable.",
    TriageLevel.ROUTINE: "Routine: book an appointment with a GP or dermatologist.",
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


# On a close-up, inflamed redness around this share of the comedones marked (or more) stops the protocol for the
# photo; fewer are named and left out of it. A documented judgement, not a fitted figure: one red ring among
# eight calm blackheads does not make the other seven unsafe to extract.
INFLAMED_SHARE_STOP = 0.25

EXTRACTION_STEPS = (
    ("sterilise", "Wash your hands; clean the skin and a comedone extractor (or put on clean gloves) with "
                  "alcohol; let the skin dry. A warm shower or compress first softens the plug."),
    ("find_the_core", "Find the plug: the dark opening of a blackhead or the white head of a whitehead. Do not "
                      "touch a spot with no visible core."),
    ("gentle_pressure", "Place the extractor loop (or two gloved fingers wrapped in tissue) around the core and "
                        "press gently and evenly downwards and inwards."),
    ("release", "The plug should come out easily. If nothing comes out after two or three gentle tries, stop: "
                "it is not ready, and pressing harder causes scars."),
    ("aftercare", "Clean the area, apply a thin layer of antibacterial ointment, and cover it if it is open. "
                  "Do not touch it again; no make-up on it for a day."),
)


DANGER_TRIANGLE = "the danger triangle of the face (between the corners of the mouth and the bridge of the nose)"


@dataclass(frozen=True)
class Extraction:
    advice: str  # "ok_with_care" | "do_not_extract"
    why: tuple[str, ...]
    steps: tuple[tuple[str, str], ...]


def extraction_advice(findings: Findings, level: TriageLevel) -> Extraction:
    """Only open comedones and ripe, superficial whiteheads are ever ok to extract."""
    a = findings.answers
    stop: list[str] = []
    if findings.nodule_or_cyst:
        stop.append("Nodules and cysts are deep: squeezing pushes their contents further in and scars. "
                    "Only a professional should drain them.")
    if findings.infection_signs:
        stop.append("It shows signs of infection; squeezing can spread it.")
    calm = findings.inflammation is None  # nothing inflamed, and it is known not to be
    if a.location == "face_danger_triangle" and not calm:
        stop.append(f"It is in {DANGER_TRIANGLE}, where squeezing an inflamed spot can spread infection inwards.")
    elif findings.triangle_not_calm:
        n = findings.triangle_not_calm
        stop.append(f"Seen in the photo: {n} spot{'s' if n != 1 else ''} in {DANGER_TRIANGLE} "
                    + ("is" if n == 1 else "are") + " inflamed or of a type not known; squeezing there can spread "
                    "infection inwards, so the advice for the photo is the most cautious one.")
    if a.location == "near_eye":
        stop.append("It is near the eye; never squeeze there.")
    if (a.size_mm is not None and a.size_mm >= 10) or (findings.max_diameter_mm or 0) >= 10:
        stop.append("It is 10 mm or larger, which means it is deep.")
    if a.pain in ("mild", "severe") or a.warm or a.lesion_type in ("papule", "pustule"):
        stop.append("It is inflamed (painful, warm, or a red papule or pustule); inflamed spots should be left "
                    "to settle, not squeezed.")
    if findings.photo_group == "inflamed":
        stop.append(("The close-up shows an inflamed spot" if findings.close_up else "The photo shows mostly "
                     "inflamed spots") + " (papules or pustules), which should be left to settle, not squeezed.")
    elif findings.deep_not_ruled_out and not findings.nodule_or_cyst:
        stop.append("A deep lesion (a nodule or cyst) is not ruled out in this photo; only a spot known to be a "
                    "blackhead or whitehead is safe to extract.")
    elif findings.photo_group == "deep" and not findings.close_up:
        stop.append("The photo shows mostly deep lesions (nodules or cysts), which only a professional should "
                    "drain.")
    # On a close-up, red rings around a share of the comedones stop it; fewer are named and left out (see why).
    red_rings = findings.inflamed_lesions_seen if findings.close_up else 0
    if findings.close_up:
        if red_rings and red_rings >= INFLAMED_SHARE_STOP * max(findings.comedones_seen, 1):
            around = ("the one comedone marked" if findings.comedones_seen == 1 else
                      f"all {red_rings} comedones marked" if red_rings == findings.comedones_seen else
                      f"{red_rings} of the {findings.comedones_seen} comedones marked")
            stop.append(f"The photo shows inflamed redness around {around}; inflamed comedones should be left to "
                        "settle.")
    elif findings.inflamed_lesions_seen and a.lesion_type not in COMEDO_TYPES:
        n = findings.inflamed_lesions_seen  # "the spot" only where there is one
        stop.append("The photo shows inflamed redness around the spot." if n == 1 else
                    f"The photo shows inflamed redness around {n} of its spots.")
    if a.fever or a.immunocompromised_or_diabetes:
        stop.append("With a fever, diabetes or a weakened immune system, any wound is riskier.")
    if level >= TriageLevel.SOON:
        stop.append("The triage level says a doctor should see it first.")
    types = set(findings.types_seen) | ({a.lesion_type} if a.lesion_type else set())
    extractable = set(findings.extractable_seen) | ({a.lesion_type} & COMEDO_TYPES)
    if not stop and not extractable:
        if findings.photo_group == "comedonal" and not findings.close_up:  # what lesion_type says, put in context
            stop.append("The photo as a whole looks most like comedones, but on a wider view that does not tell "
                        "which spot is a blackhead or a ripe whitehead, the only spots safe to extract: take a "
                        "close-up of the spot to check it. If unsure, leave it or ask a professional.")
        else:
            stop.append("It is not known to be a blackhead or a ripe whitehead, the only spots safe to extract. "
                        "If unsure, leave it or ask a professional.")
    if stop:
        return Extraction("do_not_extract", tuple(stop), ())
    why = ["Blackheads (open comedones) and ripe, superficial whiteheads can be extracted gently at home, "
           "following every step below."]
    if "closed_comedo" in extractable:
        why.append("A whitehead is ripe only when a white head sits right at the surface; if not, wait.")
    if red_rings:
        why.append(f"{red_rings} of the {findings.comedones_seen} comedones marked "
                   + ("has a red ring around it (inflamed): leave it alone" if red_rings == 1 else
                      "have a red ring around them (inflamed): leave those alone")
                   + " and extract only the calm ones.")
    if a.location == "face_danger_triangle" or findings.triangle_lesions:
        why.append(("Seen in the photo: spots lie" if a.location != "face_danger_triangle" else "It is")
                   + f" in {DANGER_TRIANGLE}: be especially gentle and clean, stop at the first sign of redness or "
                   "pain, and see a doctor if it becomes red, swollen or painful in the days after.")
    if types - extractable or findings.lesion_count > findings.comedones_seen > 0:
        why.append("Extract only the blackheads or ripe whiteheads; leave every other spot alone.")
    return Extraction("ok_with_care", tuple(why), EXTRACTION_STEPS)


@dataclass(frozen=True)
class TriageReport:
    """Triage, care plan and extraction advice for one spot or photo."""

    triage: Triage
    care_plan: tuple[CareTip, ...]
    extraction: Extraction
    answers: dict[str, object]


def build_report(findings: Findings) -> TriageReport:
    result = triage(findings)
    return TriageReport(result, care_plan(findings, result.level), extraction_advice(findings, result.level),
                        findings.answers.reported())
