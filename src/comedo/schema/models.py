"""The analysis document's pydantic models: the field names are a contract (docs/json.md); add, never rename."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from comedo.grade.scales import HAYASHI_UPPER
from comedo.schema.face_models import FaceOut, GagsOut
from comedo.types import LesionGroup, UntypedCode

__all__ = ["SCHEMA_VERSION", "DISCLAIMER", "ImageInfo", "LesionOut", "SceneOut", "PhotoTypeOut", "TypeExplanation",
           "DescriptionOut", "DarkSpotOut", "RednessOut", "Hayashi", "Iga", "Nice", "TypeCountsOut", "NotGradedOut",
           "SeverityOut", "QualityOut", "ReasonOut", "TriageOut", "CareTipOut", "ExtractionStepOut", "SaidOut",
           "ExtractionOut", "ScaleOut",
           "TriageDocument", "AnalysisDocument"]

SCHEMA_VERSION = "1.2"  # 1.1: severity scales null on close-ups (not_graded), counts.untyped, lesion_type.group
# (fields added since, without a version change: face, severity.gags, lesions[].zone / in_danger_triangle / advice)
# 1.2: one verdict: extraction.reasons (codes with evidence), extractable_lesions and relied_on; lesions[].advice_code
# and advice_relied_on; lesion_type.deep_likely; severity.summary and scales_note; severity.gags.partial;
# image.scale (where mm_per_px came from: given, ruler or iris; null in older documents)
# lesions[].diameter_px and size_source; diameter_mm from the lesion's own extent (segmented), not its ring
# face.zones[].coverage and severity.gags.partly_seen (a zone partly out of view; absent in older documents)
DISCLAIMER = (
    "comedo is not a medical device. Its measurements and suggestions are information, not a diagnosis; "
    "see a doctor or dermatologist for any lesion that worries you."
)


class ScaleOut(BaseModel):
    mm_per_px: float = Field(gt=0, description="millimetres per pixel of the oriented image")
    source: Literal["given", "ruler", "iris"] = Field(
        description="given: typed by the user (--mm-per-px), taken as exact; ruler: a ruler in frame; iris: the iris")
    uncertainty_pct: float | None = Field(None, description="one standard deviation in per cent; null when given")
    evidence: dict[str, object] = Field(
        default_factory=dict, description="the measurements behind it (ruler: period_px, ticks, unit, angle_deg, "
        "center_xy, length_px, pattern_r2, long_tick_ratio, tick_spread_pct, period_drift_pct; iris: "
        "iris_diameter_px, iris_diameters_px, roundness, interpupillary_mm, iris_mm); pixels of the image")


class ImageInfo(BaseModel):
    path: str
    width: int
    height: int
    sha256: str
    format: str | None = None
    mm_per_px: float | None = None
    scale: ScaleOut | None = Field(None, description="where mm_per_px came from and how sure it is; null without a "
                                                     "scale and in documents before 1.2")
    taken_at: str | None = Field(None, description="when the photo was taken, ISO 8601 from its EXIF; null without")


class LesionOut(BaseModel):
    bbox: list[float] = Field(description="[x, y, w, h] in pixels of the oriented image")
    center: list[float] = Field(description="[x, y] in pixels")
    radius_px: float
    diameter_mm: float | None = Field(description="diameter_px in millimetres; null without a scale (mm_per_px)")
    diameter_px: float | None = Field(None, description="the lesion's own equivalent diameter in pixels (1.2): from a "
                                      "local segmentation of the bump or plug where size_source is segmented, else "
                                      "the ring's 2 * radius_px; null in older documents")
    size_source: Literal["segmented", "ring"] = Field(
        "ring", description="segmented: diameter_px from the lesion's own extent; ring: the segmentation failed (or "
        "an older document) and the ring's diameter stands for it")
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
    halo_redness_delta_a: float | None = Field(None, description=(
        "mean a* in the ring one to two radii around the lesion minus the person's baseline: a red ring around it "
        "(moderate, 5 or more) is what the advice calls inflamed; null where not measured (documents before 0.11)"))
    dark_core: bool = Field(description="a dark dot (open-comedo opening) lies inside the lesion")
    zone: str | None = Field(None, description="forehead, right_cheek, left_cheek, nose, chin or other; null where no "
                                               "face was mapped")
    in_danger_triangle: bool = Field(False, description="inside the danger triangle drawn from the face's landmarks")
    advice: Literal["ok_with_care", "do_not_extract"] | None = Field(
        None, description="this lesion's own extraction advice (the photo's advice is the most cautious of them)")
    advice_why: str | None = None
    advice_code: str | None = Field(None, description="the code of advice_why (1.2), a key of the wording table")
    advice_relied_on: Literal["photo", "close_up", "answer"] | None = Field(
        None, description="what the advice rests on (1.2): the lesion's own type or ring (photo), the close-up's "
        "whole-frame type (close_up), or the person's lesion_type answer (answer)")
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
    deep_likely: bool = Field(False, description="the deep group's probability reached the type card's deep_likely "
                                                 "threshold: a nodule or cyst is likely (triage routine or higher)")
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
    code: Literal["close_up", "no_colour"]
    text: str


class SeverityOut(BaseModel):
    hayashi: Hayashi | None = Field(description="null on a close-up (see not_graded)")
    iga: Iga | None = Field(description="null on a close-up")
    nice: Nice | None = Field(description="null on a close-up")
    not_graded: NotGradedOut | None = Field(
        None, description="why the whole-face scales were not applied (a close-up); null when they were")
    counts: TypeCountsOut
    gags: GagsOut | None = Field(None, description="GAGS over the face's zones; null on close-ups and where no face "
                                                   "was mapped (see face.reason)")
    summary: str | None = Field(None, description="the scales in one line, as every surface shows them (1.2): 'no "
                                                  "acne lesions seen' where none was found")
    scales_note: str | None = Field(None, description="where two scales disagree, one sentence on why (1.2)")


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


class SaidOut(BaseModel):
    code: str = Field(description="stable code of the reason, a key of the wording table")
    text: str
    evidence: dict[str, object] = Field(description="what it points at: answer keys, lesion numbers (lesions), "
                                                    "measurements")


class ExtractionOut(BaseModel):
    advice: Literal["ok_with_care", "do_not_extract"]
    why: list[str] = Field(description="the reasons' words, in order (the texts of reasons)")
    steps: list[ExtractionStepOut] = Field(description="the five-step protocol, only when advice is ok_with_care")
    reasons: list[SaidOut] = Field(default_factory=list, description="the reasons with their codes and evidence (1.2)")
    extractable_lesions: list[int] = Field(
        default_factory=list, description="numbers (from 1, as on the rings) of the lesions that may be extracted; "
        "ok_with_care on a photo only where this is not empty (1.2)")
    relied_on: list[str] = Field(default_factory=list, description="photo, answer:lesion_type (1.2)")


class TriageDocument(BaseModel):
    """What `comedo triage --json` prints; also embedded in the analysis document."""

    triage: TriageOut
    care_plan: list[CareTipOut]
    extraction: ExtractionOut
    answers: dict[str, object] = Field(description="the answers that were given")
    disclaimer: str


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
    face: FaceOut | None = None
    quality: QualityOut
    triage: TriageOut | None = None
    care_plan: list[CareTipOut] | None = None
    extraction: ExtractionOut | None = None
    answers: dict[str, object] | None = None
    provenance: dict[str, object]
    disclaimer: str


