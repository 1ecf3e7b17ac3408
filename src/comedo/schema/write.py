"""``to_document``: the one serializer from an ``Analysis`` to the versioned document."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from comedo.analysis import Analysis
from comedo.classify.lesion_types import type_summary
from comedo.grade.result import Severity
from comedo.grade.summary import scales_note, severity_summary
from comedo.measure.quality import QUALITY_FLAGS
from comedo.measure.redness import IRRITATION_THRESHOLDS
from comedo.schema.models import (
    DISCLAIMER,
    SCHEMA_VERSION,
    AnalysisDocument,
    CareTipOut,
    DarkSpotOut,
    DescriptionOut,
    ExtractionOut,
    ExtractionStepOut,
    Hayashi,
    Iga,
    ImageInfo,
    LesionOut,
    Nice,
    NotGradedOut,
    PhotoTypeOut,
    QualityOut,
    ReasonOut,
    RednessOut,
    SaidOut,
    ScaleOut,
    SceneOut,
    SeverityOut,
    TriageDocument,
    TriageOut,
    TypeCountsOut,
    TypeExplanation,
)
from comedo.schema.write_face import face_out, gags_out
from comedo.types import LesionType

if TYPE_CHECKING:
    from comedo.explain.advice import TriageReport

__all__ = ["to_document", "report_document"]


def _num(value: float, digits: int = 3) -> float | None:
    return round(float(value), digits) if math.isfinite(value) else None


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
                                 steps=[ExtractionStepOut(step=k, text=v) for k, v in report.extraction.steps],
                                 reasons=[SaidOut(code=r.code, text=r.text, evidence=r.evidence)
                                          for r in report.extraction.reasons],
                                 extractable_lesions=list(report.extraction.extractable),
                                 relied_on=list(report.extraction.relied_on)),
        answers=report.answers,
        disclaimer=DISCLAIMER,
    )


def to_document(analysis: Analysis) -> AnalysisDocument:
    """Serialize an ``Analysis``; ``model_dump(mode="json")`` gives the JSON object."""
    img = analysis.image
    mm = img.mm_per_px
    les = analysis.lesions
    lesions = []
    type_names = [t.value for t in LesionType]
    per_lesion = {} if analysis.report is None else {a.number: a for a in analysis.report.extraction.lesions}
    sizes = les.diameters  # the lesion's own extent where segmented, else its ring
    for i in range(len(les)):
        x0, y0, x1, y1 = (float(v) for v in les.xyxy[i])
        r = float(les.radii[i])
        label, reason, scores = les.type_label[i], les.type_reason[i], les.type_scores[i]
        type_scores = None if not math.isfinite(float(scores[0])) else {
            n: round(float(s), 4) for n, s in zip(type_names, scores, strict=True)}
        said = per_lesion.get(i + 1)  # the verdict's own advice for this ring: rendered, never re-derived
        lesions.append(
            LesionOut(
                bbox=[round(x0, 1), round(y0, 1), round(x1 - x0, 1), round(y1 - y0, 1)],
                center=[round((x0 + x1) / 2, 1), round((y0 + y1) / 2, 1)],
                radius_px=round(r, 2),
                diameter_mm=round(float(sizes[i]) * mm, 2) if mm else None,
                diameter_px=round(float(sizes[i]), 2),
                size_source=str(les.size_source[i]),  # type: ignore[arg-type]
                score=round(float(les.score[i]), 4),
                type=label,
                type_scores=type_scores,
                redness_delta_a=_num(float(les.redness_delta_a[i]), 2),
                irritation=les.irritation[i].value,
                halo_redness_delta_a=_num(float(les.halo_delta_a[i]), 2),
                dark_core=bool(les.dark_core[i]),
                type_reason=None if reason is None else reason.text,
                type_reason_code=None if reason is None else reason.code,
                type_summary=type_summary(label, reason, type_scores),
                origin=str(les.origin[i]),  # type: ignore[arg-type]
                zone=les.zone[i],
                in_danger_triangle=bool(les.in_danger_triangle[i]),
                advice=None if said is None else said.advice,  # type: ignore[arg-type]
                advice_why=None if said is None else said.text,
                advice_code=None if said is None else said.code,
                advice_relied_on=None if said is None else said.relied_on,  # type: ignore[arg-type]
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
                        format=img.original_format, mm_per_px=mm, taken_at=img.taken_at,
                        scale=None if analysis.scale is None else ScaleOut(**vars(analysis.scale))),
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
            deep_likely=analysis.photo_type.deep_likely,
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
        severity=_severity_out(sev).model_copy(update={"gags": gags_out(analysis), "summary": severity_summary(sev),
                                                       "scales_note": scales_note(sev)}),
        face=face_out(analysis),
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
