"""The extraction advice for the photo and each of its lesions, derived together so they cannot disagree: the photo
says "ok_with_care" only where at least one listed lesion is extractable, and names which.

Only open comedones and ripe, superficial whiteheads are ever ok to extract. The protocol is the one taught for
comedone extraction (sterilise, find the core, gentle even pressure with an extractor or gloved fingers, stop if
nothing releases, aftercare). Every reason is a code of ``comedo.explain.reasons.WORDING`` with its evidence.
"""

from __future__ import annotations

from dataclasses import dataclass

from comedo.explain.findings import COMEDO_TYPES, Findings
from comedo.explain.lesion_advice import LesionAdvice, advise_lesion, answer_applies
from comedo.explain.levels import TriageLevel
from comedo.explain.reasons import reason_text

__all__ = ["Extraction", "Said", "extraction_advice", "EXTRACTION_STEPS", "INFLAMED_SHARE_STOP", "DANGER_TRIANGLE"]

# On a close-up, inflamed redness around this share of the comedones marked (or more) stops the protocol for the
# photo; fewer are marked do-not-extract one by one. A documented judgement, not a fitted figure: one red ring among
# eight calm blackheads does not make the other seven unsafe to extract.
INFLAMED_SHARE_STOP = 0.25
DANGER_TRIANGLE = "the danger triangle of the face (between the corners of the mouth and the bridge of the nose)"

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


@dataclass(frozen=True)
class Said:
    """One extraction reason: a wording code, its words, and the evidence it points at."""

    code: str
    text: str
    evidence: dict[str, object]


@dataclass(frozen=True)
class Extraction:
    """The photo's advice, its reasons (``why`` is their words), the steps when ok, and each lesion's advice."""

    advice: str  # "ok_with_care" | "do_not_extract"
    why: tuple[str, ...]
    steps: tuple[tuple[str, str], ...]
    reasons: tuple[Said, ...] = ()
    lesions: tuple[LesionAdvice, ...] = ()
    relied_on: tuple[str, ...] = ()  # "photo", "answer:lesion_type"

    @property
    def extractable(self) -> tuple[int, ...]:
        """The numbers of the lesions that may be extracted."""
        return tuple(a.number for a in self.lesions if a.ok)


def _said(code: str, evidence: dict[str, object] | None = None) -> Said:
    ev = evidence or {}
    return Said(code, reason_text(code, ev), ev)


def _red_rings(f: Findings) -> Said | None:
    """On a close-up, red rings around a large share of its comedones stop the photo; fewer are marked one by one."""
    if not f.close_up:
        return None
    frame_comedonal = f.photo_group == "comedonal"
    comedones = [les for les in f.lesions if les.group == "comedonal" or (les.group is None and frame_comedonal)]
    ringed = [les.number for les in comedones if les.red_ring]
    if ringed and len(ringed) >= INFLAMED_SHARE_STOP * max(len(comedones), 1):
        return _said("red_rings", {"lesions": ringed, "ringed": len(ringed), "comedones": len(comedones)})
    return None


def _blockers(f: Findings, level: TriageLevel) -> list[Said]:
    """What stops extraction for the whole photo, each with its evidence."""
    a = f.answers
    stop: list[Said] = []
    if f.nodule_or_cyst:
        stop.append(_said("deep_lesion", f.nodule_or_cyst))
    if f.infection_signs:
        stop.append(_said("infection", f.infection_signs))
    if a.location == "face_danger_triangle" and f.inflammation is not None:
        stop.append(_said("danger_triangle_inflamed", {"location": a.location}))
    elif f.triangle_not_calm:
        numbers = [les.number for les in f.lesions if les.in_danger_triangle
                   and (les.red_ring or les.group != "comedonal")]
        stop.append(_said("danger_triangle_seen", {"lesions": numbers} if numbers else
                          {"seen_in_photo": f.in_danger_triangle}))
    if a.location == "near_eye":
        stop.append(_said("near_eye", {"location": a.location}))
    if (a.size_mm is not None and a.size_mm >= 10) or (f.max_diameter_mm or 0) >= 10:
        stop.append(_said("ten_mm_or_more", {"size_mm": a.size_mm} if a.size_mm is not None and a.size_mm >= 10
                          else {"measured_diameter_mm": round(f.max_diameter_mm or 0, 1)}))
    told = {k: v for k, v in (("pain", a.pain if a.pain in ("mild", "severe") else None), ("warm", a.warm or None),
                              ("pus", a.pus or None),
                              ("lesion_type", a.lesion_type if a.lesion_type in ("papule", "pustule") else None))
            if v}
    if told:
        stop.append(_said("inflamed_answer", told))
    if f.photo_group == "inflamed":
        stop.append(_said("close_up_inflamed" if f.close_up else "photo_inflamed", {"photo_group": "inflamed"}))
    elif f.deep_not_ruled_out and not f.nodule_or_cyst and not answer_applies(f):
        stop.append(_said("deep_not_ruled_out", {"deep_probability": round(f.deep_probability, 2)}
                          if f.deep_probability is not None else {"photo_type": "deep_not_ruled_out"}))
    rings = _red_rings(f)
    if rings is not None:
        stop.append(rings)
    if a.fever or a.immunocompromised_or_diabetes:
        stop.append(_said("fever_or_immune", {k: True for k in ("fever", "immunocompromised_or_diabetes")
                                              if getattr(a, k)}))
    if level >= TriageLevel.SOON:
        stop.append(_said("triage_first", {"triage_level": level.label}))
    for name in sorted(f.lookalikes_seen):
        stop.append(_said("lookalike", {"photo_type": name}))
    return stop


def extraction_advice(findings: Findings, level: TriageLevel) -> Extraction:
    """The photo's advice and each lesion's, from one pass over the findings."""
    f, a = findings, findings.answers
    stop = _blockers(f, level)
    lesions = tuple(advise_lesion(les, f, photo_blocked=bool(stop)) for les in f.lesions)
    by_answer = [x.number for x in lesions if x.relied_on == "answer"]
    relied = (("photo",) if f.image_given else ()) + (("answer:lesion_type",) if by_answer or (
        not f.image_given and a.lesion_type) else ())
    ok = [x.number for x in lesions if x.ok]
    if not stop and not ok:
        if f.image_given and not f.lesions:
            stop.append(_said("no_lesion_found", {"lesion_count": 0}))
        elif f.image_given and f.photo_group == "comedonal" and not f.close_up:
            stop.append(_said("wide_comedonal", {"photo_group": "comedonal"}))
        elif f.image_given:
            stop.append(_said("no_extractable_lesion", {"lesions": [x.number for x in lesions]}))
        elif a.lesion_type not in COMEDO_TYPES:
            stop.append(_said("type_not_known", {"lesion_type": a.lesion_type} if a.lesion_type else {}))
    if stop:
        return Extraction("do_not_extract", tuple(s.text for s in stop), (), tuple(stop), lesions, relied)
    said = [_said("protocol_ok")]
    if f.image_given:
        said.append(_said("extract_only" if len(ok) < len(lesions) else "extract_these", {"lesions": ok}))
    else:
        said.append(_said("answer_only", {"lesion_type": a.lesion_type}))
    kinds = {les.type_label for les in f.lesions if les.number in ok} | {a.lesion_type, f.photo_label}
    if "closed_comedo" in kinds:
        said.append(_said("whitehead_ripe"))
    if by_answer:
        said.append(_said("relied_on_answer", {"lesion_type": a.lesion_type, "lesions": by_answer}))
    in_triangle = [les.number for les in f.lesions if les.in_danger_triangle and les.number in ok]
    if a.location == "face_danger_triangle" or in_triangle:
        said.append(_said("danger_triangle_care", {"lesions": in_triangle} if in_triangle else
                          {"location": "face_danger_triangle"}))
    return Extraction("ok_with_care", tuple(s.text for s in said), EXTRACTION_STEPS, tuple(said), lesions, relied)
