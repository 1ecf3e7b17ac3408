"""The aggregate: everything comedo found in one photo. It sits above the stages whose results it holds (the
lesions, the scale, the face map, the grades, the advice), so none of them needs to know it; the pipeline builds
it and the schema, renderers, store and adapters read it."""

from __future__ import annotations

from dataclasses import dataclass

from comedo.explain.advice import TriageReport
from comedo.face.facemap import FaceMap
from comedo.grade.result import Severity
from comedo.lesions import Lesions
from comedo.measure.scale import Scale
from comedo.types import DarkSpots, Description, PhotoType, Quality, Redness, Scene, SkinImage, SkinMask

__all__ = ["Analysis"]


@dataclass(frozen=True, eq=False)
class Analysis:
    """Everything comedo found in one photo; one serializer turns it into JSON."""

    image: SkinImage
    analysis_scale: float
    skin: SkinMask
    lesions: Lesions
    dark_spots: DarkSpots
    redness: Redness
    severity: Severity
    quality: Quality
    detector: str
    min_score: float
    provenance: dict[str, object]
    timings_ms: dict[str, float]
    scene: Scene | None = None
    photo_type: PhotoType | None = None
    description: Description | None = None
    report: TriageReport | None = None  # triage, care plan, extraction advice
    face: FaceMap | None = None  # landmarks and zones on the analysis grid (wider views), or why there are none
    scale: Scale | None = None  # mm per px and its source (given, ruler, iris); None without a scale
