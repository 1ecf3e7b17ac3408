"""The versioned analysis JSON: pydantic models and the one serializer.

The same document goes to files, the web API and the store. Field names are a
contract (see docs/json.md); add fields freely, never rename. ``comedo schema``
prints the JSON Schema, also kept in ``docs/analysis.schema.json``.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, Field

from comedo.classify.lesion_types import type_summary
from comedo.grade.scales import HAYASHI_UPPER
from comedo.measure.quality import QUALITY_FLAGS
from comedo.measure.redness import IRRITATION_THRESHOLDS
from comedo.types import Analysis, LesionGroup, LesionType, Severity, UntypedCode

if TYPE_CHECKING:
    from comedo.explain.advice import TriageReport

__all__ = ["SCHEMA_VERSION", "AnalysisDocument", "TriageDocument", "to_document", "report_document", "DISCLAIMER"]

SCHEMA_VERSION = "1.1"  # 1.1: severity scales null on close-ups (not_graded), counts.untyped, lesion_type.group
DISCLAIMER = (
    "comedo is not a medical device. Its measurements and suggestions are information, not a diagnosis; "
    "see a doctor or dermatologist for any lesion that worries you."
)


def _num(value: float, digits: int = 3) -> float | None:
    return round(float(value), digits) if math.isfinite(value) else None


class ImageInfo(BaseModel):
    path: str
    width: int
    height: int
    sha256: str
    format: str | None = None
    mm_per_px: float | None = None


class LesionOut(BaseModel):
    bbox: list[float] = Field(description="[x, y, w, h] in pixels of the oriented image")
    center: list[float] = Field(description="[x, y] in pixels")
    radius_px: float
    diameter_mm: float | None = Field(description="null without a scale (mm_per_px)")
    score: float = Field(ge=0, le=1)
    type: str | None = Field(description="lesion type, null until typed")
    type_scores: dict[str, float] | None
    type_reason: str | None = Field(None, description="why type is null, in a sentence")
    type_reason_code: UntypedCode | None = Field(
        None, description="why type is null, for programs: the crop is too small to judge, no type scored the "
        "classifier's confidence, a possible nodule or cyst that only a scale can confirm, no type model, or "
        "beyond the largest lesions typed in one photo (not_typed)")
    type_summary: str = Field("-", description="the type, or in a few words why there is none, for tables")
    redness_delta_a: float | None = Field(description="mean a* in the lesion's disc minus the person's baseline")
    irritation: str
    dark_core: bool = Field(description="a dark dot (open-comedo opening) lies inside the lesion")
    origin: Literal["detector", "dark_plug"] = Field(
        "detector", description="detector: found by the lesion detector; dark_plug: a blackhead's dark plug marked "
        "on a close-up the type classifier reads as blackheads (its score and type scores are the photo's)")


class SceneOut(BaseModel):
    view: Literal["close_up", "wide"]
    close_up_probability: float
    instrument_or_fingers: bool
    instrument_confidence: float
    instrument_evidence: list[str]


class PhotoTypeOut(BaseModel):
    label: str | None = Field(description="the photo's dominant lesion type, null when it cannot be judged")
    scores: dict[str, float] | None
    group: LesionGroup | None = Field(
        None, description="comedonal (open or closed comedo), inflamed (papule or pustule) or deep (nodule or cyst): "
        "the safety-relevant answer, which may be known where label is not; null when unsure")
    group_scores: dict[str, float] | None = None
    basis: str = Field(description="whole_photo (the classifier on the whole frame; lesion_majority in documents "
                                   "before 1.1), 'whole_photo: unsure (...)' when no group reached its threshold, or "
                                   "why it is unknown")


class TypeExplanation(BaseModel):
    type: str
    text: str


class DescriptionOut(BaseModel):
    text: str
    lesion_types: list[TypeExplanation]


class DarkSpotOut(BaseModel):
    center: list[float]
    radius_px: float
    diameter_mm: float | None
    contrast_l: float = Field(description="how much darker than the skin around it, in CIE L* units")


class RednessOut(BaseModel):
    measure: Literal["cielab_a_star"] = "cielab_a_star"
    baseline_a: float | None = Field(description="a* of the person's own unaffected skin (median)")
    baseline_l: float | None
    ita_deg: float | None = Field(description="Individual Typology Angle of the baseline skin (Chardon 1991)")
    skin_a_mean: float | None
    delta_a_p90: float | None = Field(description="90th percentile of a* minus baseline over skin")
    inflamed_fraction: float = Field(description="fraction of skin with a* >= baseline + 5")
    anatomy_fraction: float = Field(
        default=0.0, description="fraction of skin left out of delta_a_p90, inflamed_fraction and skin_a_mean on a "
        "wider view: lesion-free regions both red and dark, such as the lips, nostril rims and ear or eyelid folds")
    irritation: str = Field(description="none | slight | moderate | marked, from delta_a_p90")
    thresholds: dict[str, float]


class Hayashi(BaseModel):
    grade: int = Field(ge=0, le=3)
    label: str
    lesion_count: int
    count_cutoffs: list[int] = Field(
        default=list(HAYASHI_UPPER), min_length=3, max_length=3,
        description="largest count of grades 0, 1 and 2: Hayashi's 5, 20, 50, or cut-offs fitted to the "
                    "detector's counts on graded photos (see its model card), which under-count dense faces")
    method: str = Field(
        default="count", description="count: the grade is the lesion count's band; grade_model: the detector's "
        "grade model read the scores of all its candidates, weak ones included (see the detector's model card)")
    probabilities: list[float] | None = Field(
        default=None, description="the grade model's probabilities of mild, moderate, severe, very severe")
    count_grade: int | None = Field(default=None, ge=0, le=3,
                                    description="with the grade model: the grade the lesion count alone gives")
    estimated_count: int | None = Field(
        default=None, ge=0, description="with the grade model: how many lesions a full count would find, estimated "
        "from all the detector's candidates (in dense clusters it lists fewer than there are); lesion_count stays "
        "the number listed")
    heat_mass: float | None = Field(
        default=None, ge=0, description="the detector's heat mass on skin: the sum of its centre heatmap over cells "
        "scoring 0.05 or more, at its input scale; it grows with the number of lesions where crowded ones merge "
        "into fewer candidates, and the grade model reads it; null for a detector without a heatmap")


class Iga(BaseModel):
    grade: int = Field(ge=0, le=4)
    label: str = Field(description="clear, almost_clear, mild, moderate, severe")


class Nice(BaseModel):
    band: str = Field(description="none, mild_to_moderate, moderate_to_severe (NICE NG198)")


class TypeCountsOut(BaseModel):
    non_inflammatory: int = Field(description="open and closed comedones")
    papules_pustules: int = Field(description="on a face, including lesions whose type could not be judged")
    nodules_cysts: int
    untyped: int = Field(0, description="lesions whose type could not be judged: counted in papules_pustules on a "
                                        "face (so as not to under-grade), not on a close-up")


class NotGradedOut(BaseModel):
    code: Literal["close_up"]
    text: str


class SeverityOut(BaseModel):
    hayashi: Hayashi | None = Field(description="null on a close-up (see not_graded)")
    iga: Iga | None = Field(description="null on a close-up")
    nice: Nice | None = Field(description="null on a close-up")
    not_graded: NotGradedOut | None = Field(
        None, description="why the whole-face scales were not applied (a close-up); null when they were")
    counts: TypeCountsOut


class QualityOut(BaseModel):
    ok: bool
    flags: list[str]
    hints: list[str]
    skin_fraction: float
    sharpness: float
    median_l: float
    clipped_highlights: float
    clipped_shadows: float


class ReasonOut(BaseModel):
    code: str = Field(description="stable identifier of the rule")
    level: str
    text: str
    evidence: dict[str, object] = Field(description="the answers or measurements that made the rule fire")


class TriageOut(BaseModel):
    level: Literal["self_care", "routine", "soon", "urgent"]
    level_text: str
    reasons: list[ReasonOut]


class CareTipOut(BaseModel):
    code: str
    text: str
    why: str


class ExtractionStepOut(BaseModel):
    step: str
    text: str


class ExtractionOut(BaseModel):
    advice: Literal["ok_with_care", "do_not_extract"]
    why: list[str]
    steps: list[ExtractionStepOut] = Field(description="the five-step protocol, only when advice is ok_with_care")


class TriageDocument(BaseModel):
    """What `comedo triage --json` prints; also embedded in the analysis document."""

    triage: TriageOut
    care_plan: list[CareTipOut]
    extraction: ExtractionOut
    answers: dict[str, object] = Field(description="the answers that were given")
    disclaimer: str


def report_document(report: TriageReport) -> TriageDocument:
    from comedo.explain.advice import LEVEL_TEXT

    t = report.triage
    return TriageDocument(
        triage=TriageOut(level=t.level.label, level_text=LEVEL_TEXT[t.level],  # type: ignore[arg-type]
                         reasons=[ReasonOut(code=r.code, level=r.level.label, text=r.text, evidence=r.evidence)
                                  for r in t.reasons]),
        care_plan=[CareTipOut(code=c.code, text=c.text, why=c.why) for c in report.care_plan],
        extraction=ExtractionOut(advice=report.extraction.advice,  # type: ignore[arg-type]
                                 why=list(report.extraction.why),
                                 steps=[ExtractionStepOut(step=k, text=v) for k, v in report.extraction.steps]),
        answers=report.answers,
        disclaimer=DISCLAIMER,
    )


class AnalysisDocument(BaseModel):
    schema_version: str
    image: ImageInfo
    scene: SceneOut | None = None
    lesion_type: PhotoTypeOut | None = None
    description: DescriptionOut | None = None
    skin: dict[str, float]
    lesions: list[LesionOut]
    dark_spots: list[DarkSpotOut]
    redness: RednessOut
    severity: SeverityOut
    quality: QualityOut
    triage: TriageOut | None = None
    care_plan: list[CareTipOut] | None = None
    extraction: ExtractionOut | None = None
    answers: dict[str, object] | None = None
    provenance: dict[str, object]
    disclaimer: str


def to_document(analysis: Analysis) -> AnalysisDocument:
    """Serialize an ``Analysis``; ``model_dump(mode="json")`` gives the JSON object."""
    img = analysis.image
    mm = img.mm_per_px
    lesions = []
    dark_core = analysis.lesion_dark_core
    type_names = [t.value for t in LesionType]
    for i in range(len(analysis.lesions)):
        x0, y0, x1, y1 = (float(v) for v in analysis.lesions.xyxy[i])
        r = float(analysis.lesions.radii[i])
        red = analysis.redness.per_lesion[i] if i < len(analysis.redness.per_lesion) else None
        label = analysis.lesions.type_label[i]
        scores = analysis.lesions.type_scores[i]
        type_scores = None if not math.isfinite(float(scores[0])) else {
            n: round(float(s), 4) for n, s in zip(type_names, scores, strict=True)}
        reason = analysis.type_reasons[i] if i < len(analysis.type_reasons) else None
        lesions.append(
            LesionOut(
                bbox=[round(x0, 1), round(y0, 1), round(x1 - x0, 1), round(y1 - y0, 1)],
                center=[round((x0 + x1) / 2, 1), round((y0 + y1) / 2, 1)],
                radius_px=round(r, 2),
                diameter_mm=round(2 * r * mm, 2) if mm else None,
                score=round(float(analysis.lesions.score[i]), 4),
                type=label,
                type_scores=type_scores,
                redness_delta_a=_num(red.delta_a, 2) if red else None,
                irritation=red.grade.value if red else "none",
                dark_core=bool(dark_core[i]) if i < len(dark_core) else False,
                type_reason=None if reason is None else reason.text,
                type_reason_code=None if reason is None else reason.code,
                type_summary=type_summary(label, reason, type_scores),
                origin=str(analysis.lesions.origin[i]),  # type: ignore[arg-type]
            )
        )
    spots = [
        DarkSpotOut(
            center=[round(float(c[0]), 1), round(float(c[1]), 1)],
            radius_px=round(float(r), 2),
            diameter_mm=round(2 * float(r) * mm, 3) if mm else None,
            contrast_l=round(float(k), 2),
        )
        for c, r, k in zip(analysis.dark_spots.centers, analysis.dark_spots.radii, analysis.dark_spots.contrast,
                           strict=True)
    ]
    red = analysis.redness
    q = analysis.quality
    sev = analysis.severity
    provenance = dict(analysis.provenance)
    provenance["timings_ms"] = {k: round(v, 2) for k, v in analysis.timings_ms.items()}
    return AnalysisDocument(
        schema_version=SCHEMA_VERSION,
        image=ImageInfo(path=img.source, width=img.width, height=img.height, sha256=img.sha256,
                        format=img.original_format, mm_per_px=mm),
        skin={"fraction": round(analysis.skin.fraction, 4)},
        scene=None if analysis.scene is None else SceneOut(
            view=analysis.scene.view,  # type: ignore[arg-type]
            close_up_probability=round(analysis.scene.close_up_probability, 4),
            instrument_or_fingers=analysis.scene.instrument_or_fingers,
            instrument_confidence=round(analysis.scene.instrument_confidence, 3),
            instrument_evidence=list(analysis.scene.instrument_evidence)),
        lesion_type=None if analysis.photo_type is None else PhotoTypeOut(
            label=analysis.photo_type.label,
            scores=None if analysis.photo_type.scores is None else
            {k: round(v, 4) for k, v in analysis.photo_type.scores.items()},
            basis=analysis.photo_type.basis,
            group=analysis.photo_type.group,  # type: ignore[arg-type]
            group_scores=None if analysis.photo_type.group_scores is None else
            {k: round(v, 4) for k, v in analysis.photo_type.group_scores.items()}),
        description=None if analysis.description is None else DescriptionOut(
            text=analysis.description.text,
            lesion_types=[TypeExplanation(type=t, text=x) for t, x in analysis.description.lesion_types]),
        lesions=lesions,
        dark_spots=spots,
        redness=RednessOut(
            baseline_a=_num(red.baseline_a, 2),
            baseline_l=_num(red.baseline_l, 2),
            ita_deg=_num(red.ita_deg, 1),
            skin_a_mean=_num(red.skin_a_mean, 2),
            delta_a_p90=_num(red.delta_p90, 2),
            inflamed_fraction=round(red.inflamed_fraction, 4),
            anatomy_fraction=round(red.anatomy_fraction, 4),
            irritation=red.grade.value,
            thresholds={g.value: t for t, g in IRRITATION_THRESHOLDS},
        ),
        severity=_severity_out(sev),
        quality=QualityOut(ok=q.ok, flags=list(q.flags), hints=[QUALITY_FLAGS[f] for f in q.flags],
                           skin_fraction=round(q.skin_fraction, 4), sharpness=round(q.sharpness, 2),
                           median_l=round(q.mean_l, 2), clipped_highlights=round(q.clipped_highlights, 4),
                           clipped_shadows=round(q.clipped_shadows, 4)),
        provenance=provenance,
        disclaimer=DISCLAIMER,
        **_report_fields(analysis),
    )


def _severity_out(sev: Severity) -> SeverityOut:
    counts = TypeCountsOut(non_inflammatory=sev.non_inflammatory, papules_pustules=sev.papules_pustules,
                           nodules_cysts=sev.nodules_cysts, untyped=sev.untyped)
    if sev.not_graded is not None or sev.hayashi_grade is None or sev.iga_grade is None:
        reason = sev.not_graded
        return SeverityOut(hayashi=None, iga=None, nice=None, counts=counts, not_graded=None if reason is None else
                           NotGradedOut(code=reason.code, text=reason.text))  # type: ignore[arg-type]
    return SeverityOut(
        hayashi=Hayashi(grade=sev.hayashi_grade, label=str(sev.hayashi_label), lesion_count=sev.lesion_count,
                        count_cutoffs=list(sev.hayashi_upper), method=sev.hayashi_method,
                        probabilities=list(sev.hayashi_probabilities) or None,
                        count_grade=sev.hayashi_count_grade, estimated_count=sev.estimated_lesion_count,
                        heat_mass=sev.heat_mass),
        iga=Iga(grade=sev.iga_grade, label=str(sev.iga_label)),
        nice=Nice(band=str(sev.nice_band)),
        counts=counts)


def _report_fields(analysis: Analysis) -> dict[str, object]:
    if analysis.report is None:
        return {}
    doc = report_document(analysis.report)
    return {"triage": doc.triage, "care_plan": doc.care_plan, "extraction": doc.extraction, "answers": doc.answers}
