"""``from_document``: an ``Analysis`` read back from its stored document and the photo it describes.

What the document keeps comes back as it was written (the lesions with every column, the figures, the scene,
the grades, the triage, care plan and advice as they were shown), so workflows such as the session report and
before/after comparisons work on stored analyses without running ``analyze`` again. Two per-pixel maps are not
kept in documents: the skin mask keeps only its fraction and the redness map is empty, so drawings that need
them (the skin outline, the redness overlay) leave those layers out. Reads every schema version since 1.0.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import numpy as np

from comedo.analysis import Analysis
from comedo.errors import InvalidInputError
from comedo.explain.advice import CareTip, Extraction, Said, TriageReport
from comedo.explain.lesion_advice import LesionAdvice
from comedo.explain.triage import Reason, Triage, TriageLevel
from comedo.face.facemap import FaceMap
from comedo.face.mesh import FaceMesh
from comedo.face.zones import face_zones
from comedo.grade.gags import Gags, GagsTerm
from comedo.grade.result import NotGraded, Severity
from comedo.lesions import Lesions
from comedo.measure.scale import Scale
from comedo.types import (
    DarkSpots,
    Description,
    IrritationGrade,
    LesionType,
    PhotoType,
    Quality,
    Redness,
    Scene,
    SkinImage,
    SkinMask,
    Untyped,
    UntypedCode,
)

__all__ = ["from_document", "READABLE_VERSIONS"]

READABLE_VERSIONS = ("1.0", "1.1", "1.2")
ANALYSIS_LONG_SIDE_BEFORE_PROVENANCE = 1024

# Documents before type_reason_code named the reason only in words; its opening words tell the code.
_REASON_OPENINGS = (("too small", UntypedCode.TOO_SMALL), ("uncertain", UntypedCode.UNCERTAIN),
                    ("no lesion-type model", UntypedCode.NO_MODEL), ("not typed", UntypedCode.NOT_TYPED))


def _float(value: object) -> float:
    return float("nan") if value is None else float(value)  # type: ignore[arg-type]


def _reason(lesion: Mapping[str, Any]) -> Untyped | None:
    text = lesion.get("type_reason")
    if text is None:
        return None
    code = lesion.get("type_reason_code")
    if code is None:
        code = next((c for opening, c in _REASON_OPENINGS if text.startswith(opening)), UntypedCode.NEEDS_SCALE)
    return Untyped(UntypedCode(code), text)


def _lesions(rows: list[Mapping[str, Any]]) -> Lesions:
    if not rows:
        return Lesions.empty()
    names = [t.value for t in LesionType]
    # Boxes about the written centre with the written size: the centre comes back exactly, the radius to 0.05 px.
    xyxy = np.array([[cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2]
                     for (cx, cy), (_, _, w, h) in ((r["center"], r["bbox"]) for r in rows)], np.float32)
    scores = np.array([[np.nan] * len(names) if r.get("type_scores") is None else
                       [r["type_scores"][n] for n in names] for r in rows], np.float32)
    return Lesions(
        xyxy, np.array([r["score"] for r in rows], np.float32),
        type_label=np.array([r.get("type") for r in rows], object), type_scores=scores,
        type_reason=np.array([_reason(r) for r in rows], object),
        origin=np.array([r.get("origin", "detector") for r in rows], object),
        dark_core=np.array([bool(r.get("dark_core", False)) for r in rows], bool),
        redness_delta_a=np.array([_float(r.get("redness_delta_a")) for r in rows], np.float32),
        irritation=np.array([IrritationGrade(r.get("irritation", "none")) for r in rows], object),
        halo_delta_a=np.array([_float(r.get("halo_redness_delta_a")) for r in rows], np.float32),
        zone=np.array([r.get("zone") for r in rows], object),
        in_danger_triangle=np.array([bool(r.get("in_danger_triangle", False)) for r in rows], bool),
        diameter_px=np.array([_float(r.get("diameter_px")) for r in rows], np.float32),
        size_source=np.array([r.get("size_source", "ring") for r in rows], object))


def _dark_spots(rows: list[Mapping[str, Any]]) -> DarkSpots:
    if not rows:
        return DarkSpots.empty()
    return DarkSpots(np.array([r["center"] for r in rows], np.float32), np.array([r["radius_px"] for r in rows],
                                                                                 np.float32),
                     np.array([r["contrast_l"] for r in rows], np.float32))


def _severity(sev: Mapping[str, Any]) -> Severity:
    counts = sev.get("counts") or {}
    hayashi, iga, nice = sev.get("hayashi"), sev.get("iga"), sev.get("nice")
    not_graded = sev.get("not_graded")
    common = dict(non_inflammatory=int(counts.get("non_inflammatory", 0)),
                  papules_pustules=int(counts.get("papules_pustules", 0)),
                  nodules_cysts=int(counts.get("nodules_cysts", 0)), untyped=int(counts.get("untyped", 0)),
                  not_graded=None if not_graded is None else NotGraded(not_graded["code"], not_graded["text"]))
    if hayashi is None:
        from comedo.grade.scales import HAYASHI_UPPER

        total = sum(common[k] for k in ("non_inflammatory", "papules_pustules", "nodules_cysts"))  # type: ignore[misc]
        return Severity(None, None, int(total), None, None, None, hayashi_upper=HAYASHI_UPPER, **common)
    model = hayashi.get("method") == "grade_model"
    return Severity(
        int(hayashi["grade"]), hayashi["label"], int(hayashi["lesion_count"]), int(iga["grade"]), iga["label"],
        nice["band"], hayashi_upper=tuple(hayashi["count_cutoffs"]),  # type: ignore[arg-type]
        hayashi_count_grade=hayashi.get("count_grade") if model else None,
        hayashi_probabilities=tuple(hayashi.get("probabilities") or ()),
        estimated_lesion_count=hayashi.get("estimated_count"), heat_mass=hayashi.get("heat_mass"),
        gags=_gags(sev.get("gags")), **common)


def _gags(g: Mapping[str, Any] | None) -> Gags | None:
    if g is None:
        return None
    terms = tuple(GagsTerm(t["zone"], int(t["factor"]), bool(t["visible"]), int(t["lesions"]), t.get("worst"),
                           int(t["points"]), int(t["term"])) for t in g["terms"])
    return Gags(int(g["score"]), g["label"], terms, int(g.get("untyped_counted_as_papules", 0)),
                tuple(g.get("not_visible") or ()), tuple(g.get("not_scored") or ()),
                tuple(g.get("partly_seen") or ()))


def _face(doc: Mapping[str, Any], scale: float) -> FaceMap | None:
    """The face map on the analysis grid: the landmarks as written; the zones redrawn from them (the document
    keeps no skin mask, so they are not cut to the skin, and each zone's visibility is the document's)."""
    face = doc.get("face")
    if face is None:
        return None
    if not face.get("found") or not face.get("landmarks"):
        return FaceMap(None, None, face.get("reason") or "no_face")
    points = np.array(face["landmarks"], np.float32) * scale
    points = np.hstack([points, np.zeros((len(points), 1), np.float32)])
    mesh = FaceMesh(points, float(face.get("detection_score") or 0.0), float(face.get("presence") or 0.0))
    info = doc["image"]
    grid = (max(1, round(info["height"] * scale)), max(1, round(info["width"] * scale)))  # the analysis grid
    zones = face_zones(mesh, np.ones(grid, bool))
    written = face.get("zones") or ()
    zones = replace(zones, visible={**zones.visible, **{z["name"]: bool(z["visible"]) for z in written}},
                    coverage={**zones.coverage, **{z["name"]: float(z["coverage"]) for z in written
                                                   if z.get("coverage") is not None}})
    return FaceMap(mesh, zones, rotation=int(face.get("quarter_turns", 0)),
                   areas_px={z["name"]: int(z["area_px"]) for z in written},
                   redness_p90={z["name"]: z.get("redness_delta_a_p90") for z in written})


def _redness(red: Mapping[str, Any]) -> Redness:
    return Redness(baseline_a=_float(red.get("baseline_a")), baseline_l=_float(red.get("baseline_l")),
                   ita_deg=_float(red.get("ita_deg")), skin_a_mean=_float(red.get("skin_a_mean")),
                   delta_p90=_float(red.get("delta_a_p90")), inflamed_fraction=float(red.get("inflamed_fraction", 0)),
                   grade=IrritationGrade(red.get("irritation", "none")), delta_map=np.zeros((0, 0), np.float32),
                   anatomy_fraction=float(red.get("anatomy_fraction", 0.0)))


def _quality(q: Mapping[str, Any]) -> Quality:
    return Quality(skin_fraction=float(q["skin_fraction"]), sharpness=float(q["sharpness"]),
                   mean_l=float(q["median_l"]), clipped_highlights=float(q["clipped_highlights"]),
                   clipped_shadows=float(q["clipped_shadows"]), flags=tuple(q.get("flags", ())))


def _report(doc: Mapping[str, Any]) -> TriageReport | None:
    triage, extraction = doc.get("triage"), doc.get("extraction")
    if triage is None or extraction is None:
        return None
    levels = {level.label: level for level in TriageLevel}
    reasons = tuple(Reason(r["code"], levels[r["level"]], r["text"], dict(r.get("evidence") or {}))
                    for r in triage["reasons"])
    return TriageReport(
        triage=Triage(levels[triage["level"]], reasons),
        care_plan=tuple(CareTip(c["code"], c["text"], c["why"]) for c in doc.get("care_plan") or ()),
        extraction=Extraction(extraction["advice"], tuple(extraction["why"]),
                              tuple((s["step"], s["text"]) for s in extraction.get("steps") or ()),
                              tuple(Said(r["code"], r["text"], dict(r.get("evidence") or {}))
                                    for r in extraction.get("reasons") or ()),
                              _lesion_advice(doc.get("lesions") or ()), tuple(extraction.get("relied_on") or ())),
        answers=dict(doc.get("answers") or {}))


def _lesion_advice(rows: Any) -> tuple[LesionAdvice, ...]:
    """Each lesion's advice as the document stored it (before 1.2 without a code: "unknown")."""
    return tuple(LesionAdvice(i + 1, r["advice"], r.get("advice_code") or "unknown", r.get("advice_why") or "",
                              r.get("advice_relied_on") or "photo")
                 for i, r in enumerate(rows) if r.get("advice") is not None)


def from_document(doc: Mapping[str, Any], pixels: np.ndarray) -> Analysis:
    """The ``Analysis`` a document describes, on ``pixels``: the (H, W, 3) uint8 RGB photo it was made from
    (as the store keeps it), which must have the document's width and height."""
    version = str(doc.get("schema_version"))
    if version not in READABLE_VERSIONS:
        raise InvalidInputError(f"document schema_version must be one of {', '.join(READABLE_VERSIONS)}; "
                                f"got {version!r}")
    info = doc["image"]
    if pixels.ndim != 3 or pixels.shape[:2] != (info["height"], info["width"]):
        raise InvalidInputError(f"the photo is {pixels.shape[1]}x{pixels.shape[0]} but the document describes a "
                                f"{info['width']}x{info['height']} photo")
    try:
        provenance = dict(doc.get("provenance") or {})
        timings = {k: float(v) for k, v in (provenance.pop("timings_ms", None) or {}).items()}
        long_side = int(provenance.get("analysis_long_side", ANALYSIS_LONG_SIDE_BEFORE_PROVENANCE))
        scale = min(1.0, long_side / max(info["width"], info["height"]))
        scene, photo, described = doc.get("scene"), doc.get("lesion_type"), doc.get("description")
        return Analysis(
            image=SkinImage(pixels, info["path"], info["sha256"], info.get("mm_per_px"), info.get("format"),
                            info.get("taken_at")),
            analysis_scale=scale,
            skin=SkinMask(np.zeros((0, 0), bool), kept_fraction=float(doc["skin"]["fraction"])),
            lesions=_lesions(doc["lesions"]),
            dark_spots=_dark_spots(doc["dark_spots"]),
            redness=_redness(doc["redness"]),
            severity=_severity(doc["severity"]),
            quality=_quality(doc["quality"]),
            detector=str((provenance.get("detector") or {}).get("name", "unknown")),
            min_score=float(provenance.get("min_score", 0.0)),
            provenance=provenance,
            timings_ms=timings,
            scene=None if scene is None else Scene(scene["view"], float(scene["close_up_probability"]),
                                                   bool(scene["instrument_or_fingers"]),
                                                   float(scene["instrument_confidence"]),
                                                   tuple(scene.get("instrument_evidence") or ())),
            photo_type=None if photo is None else PhotoType(photo.get("label"), photo.get("scores"), photo["basis"],
                                                            photo.get("group"), photo.get("group_scores"),
                                                            deep_likely=bool(photo.get("deep_likely", False))),
            description=None if described is None else Description(
                described["text"], tuple((t["type"], t["text"]) for t in described.get("lesion_types") or ())),
            report=_report(doc),
            face=_face(doc, scale),
            scale=None if info.get("scale") is None else Scale(**info["scale"]),  # null before 1.2
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidInputError(f"the document is not a comedo analysis: {type(exc).__name__} {exc}") from None
