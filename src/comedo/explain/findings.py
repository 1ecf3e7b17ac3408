"""What the triage rules read: the person's answers and what the photo shows, gathered in one Findings."""

from __future__ import annotations

from dataclasses import dataclass

from comedo.explain.answers import Answers
from comedo.types import Analysis, IrritationGrade, LesionGroup, LesionType

__all__ = ["Findings", "COMEDO_TYPES", "INFLAMED_TYPES", "findings_from"]


@dataclass(frozen=True)
class Findings:
    """What triage looks at: the answers and what the image showed (if any)."""

    answers: Answers
    image_given: bool = False
    lesion_count: int = 0
    types_seen: frozenset[str] = frozenset()
    max_diameter_mm: float | None = None
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
        if a.pus and a.pain in ("mild", "severe"):
            signs.update(pus=True, pain=a.pain)
        return signs

    @property
    def nodule_or_cyst(self) -> dict[str, object]:
        ev: dict[str, object] = {}
        if self.answers.lesion_type in ("nodule", "cyst"):
            ev["lesion_type"] = self.answers.lesion_type
        seen = sorted(self.types_seen & {"nodule", "cyst"})
        if seen:
            ev["types_seen_in_photo"] = seen
        if self.close_up and self.photo_group == "deep":
            ev["close_up_shows"] = self.photo_label or "nodule_or_cyst"
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


INFLAMED_TYPES = frozenset(t.value for t in LesionType if t.group is not LesionGroup.COMEDONAL)


def findings_from(answers: Answers | None, analysis: Analysis | None) -> Findings:
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
    max_mm = float(lesions.radii.max() * 2 * mm) if (mm and len(lesions)) else None
    red_ring = [grade in (IrritationGrade.MODERATE, IrritationGrade.MARKED) for grade in lesions.irritation]
    comedo = [LesionType.group_of(t) is LesionGroup.COMEDONAL for t in lesions.type_label]
    if close_up:  # the comedones with a red ring: inflamed papules and deep lesions are in photo_group
        inflamed = sum(r and c for r, c in zip(red_ring, comedo, strict=True))
    else:
        inflamed = sum(r or (t in INFLAMED_TYPES) for r, t in zip(red_ring, lesions.type_label, strict=True))
    sev = analysis.severity
    in_triangle = lesions.in_danger_triangle
    not_calm = sum(bool(t) and (r or lbl is None or lbl in INFLAMED_TYPES)
                   for t, r, lbl in zip(in_triangle, red_ring, lesions.type_label, strict=True))
    return Findings(answers, True, len(lesions), types, max_mm, inflamed, sev.hayashi_grade, sev.nice_band,
                    close_up, None if photo is None else photo.group, None if photo is None else photo.label,
                    sum(comedo), photo is not None and photo.deep_not_ruled_out, int(in_triangle.sum()), not_calm)
