"""The face map and GAGS parts of ``to_document`` (the face map lives on the analysis grid; the document is in
photo pixels)."""

from __future__ import annotations

from collections import Counter

import numpy as np

from comedo.analysis import Analysis
from comedo.face.facemap import NO_FACE_REASONS
from comedo.face.zones import ZONE_NAMES
from comedo.schema.face_models import FaceOut, GagsOut, GagsTermOut, ZoneOut

__all__ = ["face_out", "gags_out"]


def face_out(analysis: Analysis) -> FaceOut | None:
    face = analysis.face
    if face is None:
        return None
    if face.mesh is None or face.zones is None:
        return FaceOut(found=False, reason=face.reason, reason_text=NO_FACE_REASONS.get(face.reason or ""))
    inv = 1.0 / analysis.analysis_scale
    les = analysis.lesions
    redness = face.redness_p90 or {}
    areas = face.areas_px or {}
    zones = []
    for name in ZONE_NAMES:
        mask = les.zone == name
        by_type = Counter("untyped" if t is None else str(t) for t in les.type_label[mask])
        p90 = redness.get(name)
        coverage = face.zones.coverage.get(name)
        zones.append(ZoneOut(name=name, visible=face.zones.visible[name],  # type: ignore[arg-type]
                             coverage=None if coverage is None else round(coverage, 3),
                             area_px=int(areas.get(name, 0)), lesions=int(mask.sum()),
                             by_type=dict(sorted(by_type.items())),
                             redness_delta_a_p90=None if p90 is None else round(p90, 2)))
    points = face.mesh.points[:, :2] * inv
    x0, y0 = points.min(axis=0)
    x1, y1 = points.max(axis=0)
    return FaceOut(
        found=True, detection_score=round(face.mesh.detection_score, 4), presence=round(face.mesh.presence, 4),
        box=[round(float(x0), 1), round(float(y0), 1), round(float(x1 - x0), 1), round(float(y1 - y0), 1)],
        quarter_turns=face.rotation, zones=zones,
        danger_triangle=[[round(float(x), 1), round(float(y), 1)] for x, y in face.zones.triangle * inv],
        lesions_in_danger_triangle=int(np.sum(les.in_danger_triangle)),
        landmarks=[[round(float(x), 1), round(float(y), 1)] for x, y in points])


def gags_out(analysis: Analysis) -> GagsOut | None:
    g = analysis.severity.gags
    if g is None:
        return None
    return GagsOut(score=g.score, label=g.label, text=g.text,  # type: ignore[arg-type]
                   terms=[GagsTermOut(zone=t.zone, factor=t.factor, visible=t.visible,  # type: ignore[arg-type]
                                      lesions=t.lesions, worst=t.worst, points=t.points, term=t.term)
                          for t in g.terms],
                   untyped_counted_as_papules=g.untyped_counted_as_papules, partial=g.partial,
                   not_visible=list(g.not_visible), partly_seen=list(g.partly_seen),
                   not_scored=list(g.not_scored))
