"""What the triage rules read: the person's answers and what the photo shows, gathered in one Findings."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from comedo.explain.answers import Answers
from comedo.explain.observed import Observed
from comedo.explain.sizes import size_range_mm
from comedo.lesions import Lesions
from comedo.types import IrritationGrade, LesionGroup, LesionType

__all__ = ["Findings", "LesionFacts", "COMEDO_TYPES", "INFLAMED_TYPES", "DEEP_TYPES", "DEEP_MIN_MM", "findings_from",
           "red_rings"]

# Nodules and cysts are 5 mm or more across, papules smaller (the IGA lesion definitions of the FDA's 2018 acne
# guidance): with a scale, an inflamed or untyped lesion that size is nodule-sized.
DEEP_MIN_MM = 5.0
_ACNE_TYPES = frozenset(t.value for t in LesionType)



def red_rings(lesions: Lesions, *, close_up: bool) -> list[bool]:
    """Which lesions have a red ring around them: moderately or markedly redder than the person's own skin.

    On a close-up, their halo (the skin one to two radii around, ``halo_delta_a``): a ring there covers the whole
    bump, and a whitehead's pink bump is not redness around it. On a wider view a ring is a few pixels and its disc
    (``irritation``) already takes in the skin around it, so either the disc or the halo counts (the cautious
    reading). Documents written before the halo was measured (NaN) read the disc alone."""
    from comedo.measure.redness import irritation_grade

    red = (IrritationGrade.MODERATE, IrritationGrade.MARKED)
    out = []
    for halo, grade in zip(lesions.halo_delta_a, lesions.irritation, strict=True):
        halo_red = bool(np.isfinite(halo)) and irritation_grade(float(halo)) in red
        out.append(halo_red if close_up and np.isfinite(halo) else halo_red or grade in red)
    return out

@dataclass(frozen=True)
class LesionFacts:
    """One listed lesion as the rules read it. ``number`` is 1-based, as on the rings and in the table."""

    number: int
    type_label: str | None = None
    untyped_code: str | None = None  # a ``UntypedCode`` value where the type is missing
    red_ring: bool = False  # redness around it moderate or marked, against the person's own skin
    in_danger_triangle: bool = False
    diameter_mm: float | None = None  # None without a scale
    size_uncertainty_pct: float | None = None  # the scale's one SD in per cent; None for a given (exact) scale

    @property
    def group(self) -> str | None:
        """comedonal, inflamed or deep; "lookalike" for a type that is not acne (milium, keloid...); None untyped."""
        if self.type_label is None:
            return None
        if self.type_label not in _ACNE_TYPES:
            return "lookalike"
        return LesionType.group_of(self.type_label).value  # type: ignore[union-attr]

    @property
    def measured(self) -> dict[str, object]:
        """Its size as evidence: number, diameter_mm and, with an uncertain scale, range_mm (two SD either side)."""
        ev: dict[str, object] = {"lesion": self.number, "diameter_mm": round(self.diameter_mm or 0.0, 1)}
        span = size_range_mm(self.diameter_mm or 0.0, self.size_uncertainty_pct)
        if span is not None:
            ev["range_mm"] = [round(span[0], 1), round(span[1], 1)]
        if self.size_uncertainty_pct is not None:
            ev["uncertainty_pct"] = round(self.size_uncertainty_pct, 1)
        return ev

    @property
    def may_be_a_lump(self) -> bool:
        """Known to be inflamed or deep: typed a papule, pustule, nodule or cyst, or untyped with a red ring or as
        one that may be deep. A nodule is an inflamed, solid lesion of 5 mm or more (IGA definitions, FDA 2018):
        an untyped, calm spot's size alone (a mole, a shadow, a freckle the face detector ringed) is not one."""
        if self.group in ("inflamed", "deep"):
            return True
        return self.type_label is None and (self.red_ring or self.untyped_code == "needs_scale")

    @property
    def nodule_sized(self) -> bool:
        """A scale shows a lesion that may be a lump as large as only a nodule or cyst is (not a comedone)."""
        return self.diameter_mm is not None and self.diameter_mm >= DEEP_MIN_MM and self.may_be_a_lump


@dataclass(frozen=True)
class Findings:
    """What triage looks at: the answers and what the image showed (if any)."""

    answers: Answers
    image_given: bool = False
    lesion_count: int = 0
    types_seen: frozenset[str] = frozenset()
    max_diameter_mm: float | None = None  # the largest lesion that may be a lump (``LesionFacts.may_be_a_lump``)
    inflamed_lesions_seen: int = 0
    hayashi_grade: int | None = None
    nice_band: str | None = None
    # The photo-level answer (``comedo.classify.lesion_types.photo_decision``): its group and six-way label, None when
    # unsure. On a close-up it is the spot's type (and inflamed_lesions_seen counts the comedones with a red ring
    # around them); on a wider view it is the dominant type, which only ever blocks extraction.
    close_up: bool = False
    photo_group: str | None = None
    photo_label: str | None = None
    comedones_seen: int = 0
    deep_not_ruled_out: bool = False
    # Lesions the face map places in the danger triangle (``comedo.face``), and how many of them are inflamed (an
    # inflamed type or a red ring) or of a type not known: the photo tells where they are, without an answer.
    triangle_lesions: int = 0
    triangle_not_calm: int = 0
    # Each listed lesion (the per-lesion advice reads them); the photo's calibrated deep-group probability and
    # whether it reached the card's group threshold (``deep_likely``); look-alike types the photo names.
    lesions: tuple[LesionFacts, ...] = ()
    deep_likely: bool = False
    deep_probability: float | None = None
    lookalikes_seen: frozenset[str] = frozenset()

    @property
    def in_danger_triangle(self) -> dict[str, object] | None:
        """Where the danger triangle comes from: the answer, the photo, or both (None: neither)."""
        ev: dict[str, object] = {}
        if self.answers.location == "face_danger_triangle":
            ev["location"] = "face_danger_triangle"
        if self.triangle_lesions:
            ev["seen_in_photo"] = {"lesions": self.triangle_lesions, "inflamed_or_not_known": self.triangle_not_calm}
        return ev or None

    @property
    def infection_signs(self) -> dict[str, object]:
        a = self.answers
        signs: dict[str, object] = {}
        if a.warm:
            signs["warm"] = True
        if a.spreading_redness:
            signs["spreading_redness"] = True
        if a.foul_smell:
            signs["foul_smell"] = True
        # Pus alone is a pustule's white head: a sign of infection only from a lump or cyst, or with warmth,
        # spreading redness or fever (the seed's red flag; NHS "Skin abscess").
        if a.pus and (signs or a.fever or self.lump_or_cyst):
            signs["pus"] = True
            if a.fever:
                signs["fever"] = True
            signs.update({k: v for k, v in self.lump_or_cyst.items() if k not in signs})
        return signs

    @property
    def lump_or_cyst(self) -> dict[str, object]:
        """Evidence the spot is a lump or cyst: a reported nodule or cyst, 10 mm or more, or a deep lesion the
        photo makes likely."""
        ev = dict(self.nodule_or_cyst)
        if self.answers.size_mm is not None and self.answers.size_mm >= 10:
            ev["size_mm"] = self.answers.size_mm
        return ev

    @property
    def nodule_or_cyst(self) -> dict[str, object]:
        ev: dict[str, object] = {}
        if self.answers.lesion_type in ("nodule", "cyst"):
            ev["lesion_type"] = self.answers.lesion_type
        seen = sorted(self.types_seen & DEEP_TYPES)
        typed = [les.number for les in self.lesions if les.type_label in DEEP_TYPES]
        if typed:
            ev["lesions"] = typed
        elif seen:
            ev["types_seen_in_photo"] = seen
        sized = [les for les in self.lesions if les.nodule_sized]
        if sized:
            ev["lesions_5_mm_or_more"] = [les.number for les in sized]
            ev["lesion_sizes_mm"] = [les.measured for les in sized]
        if self.photo_group == "deep" or self.deep_likely:
            ev["photo_type"] = self.photo_label or "nodule_or_cyst"
            if self.deep_probability is not None:
                ev["deep_probability"] = round(self.deep_probability, 2)
        return ev

    @property
    def inflammation(self) -> dict[str, object] | None:
        """Evidence of inflammation; ``{"unknown": True}`` when nothing tells either way."""
        a = self.answers
        ev: dict[str, object] = {}
        if a.pain in ("mild", "severe"):
            ev["pain"] = a.pain
        for key in ("warm", "pus", "spreading_redness"):
            if getattr(a, key):
                ev[key] = True
        if a.lesion_type in ("papule", "pustule", "nodule", "cyst"):
            ev["lesion_type"] = a.lesion_type
        if self.inflamed_lesions_seen:
            ev["inflamed_lesions_in_photo"] = self.inflamed_lesions_seen
        if self.close_up and self.photo_group in ("inflamed", "deep"):
            ev["close_up_shows"] = self.photo_label or ("papule_or_pustule" if self.photo_group == "inflamed"
                                                        else "nodule_or_cyst")
        if ev:
            return ev
        said_calm = a.pain == "none" or a.warm is False or a.lesion_type in COMEDO_TYPES
        if said_calm or (self.image_given and self.lesion_count > 0 and
                         (not self.close_up or self.photo_group == "comedonal")):
            return None
        return {"unknown": True}

    @property
    def extractable_seen(self) -> frozenset[str]:
        """The extractable types the photo shows: on a close-up only where its photo-level group is comedonal
        (crops of a close-up are too unreliable to overrule the photo); on a wider view, typed comedo lesions."""
        kinds = COMEDO_TYPES
        if self.close_up:
            if self.photo_group != "comedonal":  # inflamed, deep, or unsure
                return frozenset()
            return (self.types_seen & kinds) | ({self.photo_label} if self.photo_label else kinds)
        # A wider view: the whole frame's answer may only hold extraction back, never open it (the network
        # learned mostly from close-ups), so typed comedo lesions are needed, in a photo not read as inflamed.
        if self.photo_group in ("inflamed", "deep"):
            return frozenset()
        return self.types_seen & kinds


COMEDO_TYPES = frozenset(t.value for t in LesionGroup.COMEDONAL.members)
DEEP_TYPES = frozenset(t.value for t in LesionGroup.DEEP.members)


INFLAMED_TYPES = frozenset(t.value for t in LesionType if t.group is not LesionGroup.COMEDONAL)


def findings_from(answers: Answers | None, analysis: Observed | None) -> Findings:
    """Collect what the rules need from the answers and an analysis."""
    answers = answers or Answers()
    if analysis is None:
        return Findings(answers)
    lesions = analysis.lesions
    close_up = analysis.scene is not None and analysis.scene.view == "close_up"
    photo = analysis.photo_type
    types = frozenset(str(t) for t in lesions.type_label if t is not None)
    if close_up and photo is not None and photo.label is not None:
        types |= {photo.label}
    mm = analysis.image.mm_per_px
    sizes = lesions.diameters  # each lesion's own extent where segmented (comedo.measure.lesion_size), else its ring
    scale = getattr(analysis, "scale", None)  # (an Observed written before scales has none)
    spread = None if scale is None else scale.uncertainty_pct
    red_ring = red_rings(lesions, close_up=close_up)
    comedo = [LesionType.group_of(t) is LesionGroup.COMEDONAL for t in lesions.type_label]
    if close_up:  # the comedones with a red ring: inflamed papules and deep lesions are in photo_group
        inflamed = sum(r and c for r, c in zip(red_ring, comedo, strict=True))
    else:
        inflamed = sum(r or (t in INFLAMED_TYPES) for r, t in zip(red_ring, lesions.type_label, strict=True))
    sev = analysis.severity
    in_triangle = lesions.in_danger_triangle
    not_calm = sum(bool(t) and (r or lbl is None or lbl in INFLAMED_TYPES)
                   for t, r, lbl in zip(in_triangle, red_ring, lesions.type_label, strict=True))
    facts = tuple(LesionFacts(i + 1, lesions.type_label[i], None if lesions.type_reason[i] is None else
                              lesions.type_reason[i].code.value, red_ring[i], bool(in_triangle[i]),
                              float(sizes[i] * mm) if mm else None, spread) for i in range(len(lesions)))
    lumps = [les.diameter_mm for les in facts if les.may_be_a_lump and les.diameter_mm is not None]
    max_mm = max(lumps) if lumps else None  # the "large lump" flag reads lesions that may be lumps only
    deep_p = None if photo is None or not photo.group_scores or photo.group is None and not photo.deep_likely \
        else float(photo.group_scores.get("deep", 0.0))
    return Findings(answers, True, len(lesions), types, max_mm, inflamed, sev.hayashi_grade, sev.nice_band,
                    close_up, None if photo is None else photo.group, None if photo is None else photo.label,
                    sum(comedo), photo is not None and photo.deep_not_ruled_out, int(in_triangle.sum()), not_calm,
                    facts, photo is not None and photo.deep_likely, deep_p,
                    frozenset({"lookalike"}) if photo is not None and photo.lookalike_likely else frozenset())
