"""Result types that flow from loading to every output. numpy only.

Stages take these values and return new ones; none is mutated after creation.
Points are (x, y); arrays are indexed [row, col].
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

import numpy as np

from comedo.grade import HAYASHI_UPPER

__all__ = [
    "SkinImage",
    "SkinMask",
    "Lesions",
    "DarkSpots",
    "Redness",
    "LesionRedness",
    "Quality",
    "Severity",
    "Analysis",
    "Scene",
    "PhotoType",
    "Description",
    "IrritationGrade",
    "LesionType",
    "Untyped",
    "UntypedCode",
]


class IrritationGrade(str, Enum):
    NONE = "none"
    SLIGHT = "slight"
    MODERATE = "moderate"
    MARKED = "marked"


class LesionType(str, Enum):
    OPEN_COMEDO = "open_comedo"
    CLOSED_COMEDO = "closed_comedo"
    PAPULE = "papule"
    PUSTULE = "pustule"
    NODULE = "nodule"
    CYST = "cyst"


@dataclass(frozen=True, eq=False)
class SkinImage:
    """An oriented RGB photo. ``pixels`` is (H, W, 3) uint8 RGB, never BGR."""

    pixels: np.ndarray
    source: str
    sha256: str
    mm_per_px: float | None = None
    original_format: str | None = None

    @property
    def height(self) -> int:
        return int(self.pixels.shape[0])

    @property
    def width(self) -> int:
        return int(self.pixels.shape[1])


@dataclass(frozen=True, eq=False)
class SkinMask:
    """Boolean (H, W) mask of skin at the analysis resolution."""

    mask: np.ndarray

    @property
    def fraction(self) -> float:
        return float(self.mask.mean()) if self.mask.size else 0.0


@dataclass(frozen=True, eq=False)
class Lesions:
    """Columnar lesion detections (like ``supervision.Detections``).

    ``xyxy`` (n, 4) float32 in pixels of the oriented image; ``score`` (n,)
    float32 in 0..1; ``type_label`` (n,) object array of ``LesionType`` value
    strings or None; ``type_scores`` (n, 6) float32 (NaN when untyped).
    """

    xyxy: np.ndarray
    score: np.ndarray
    type_label: np.ndarray = field(default_factory=lambda: np.zeros(0, object))
    type_scores: np.ndarray = field(default_factory=lambda: np.zeros((0, len(LesionType)), np.float32))

    def __post_init__(self) -> None:
        n = len(self.xyxy)
        xyxy = np.asarray(self.xyxy, np.float32).reshape(n, 4)
        score = np.asarray(self.score, np.float32).reshape(-1)
        if len(score) != n:
            raise ValueError(f"score has {len(score)} entries for {n} boxes")
        label = np.asarray(self.type_label, object).reshape(-1)
        if len(label) != n:
            label = np.full(n, None, object)
        scores = np.asarray(self.type_scores, np.float32)
        if scores.shape != (n, len(LesionType)):
            scores = np.full((n, len(LesionType)), np.nan, np.float32)
        object.__setattr__(self, "xyxy", xyxy)
        object.__setattr__(self, "score", score)
        object.__setattr__(self, "type_label", label)
        object.__setattr__(self, "type_scores", scores)

    @classmethod
    def empty(cls) -> Lesions:
        return cls(np.zeros((0, 4), np.float32), np.zeros(0, np.float32))

    def __len__(self) -> int:
        return len(self.xyxy)

    def __getitem__(self, index: np.ndarray | slice) -> Lesions:
        return Lesions(self.xyxy[index], self.score[index], self.type_label[index], self.type_scores[index])

    @property
    def centers(self) -> np.ndarray:
        """(n, 2) float32 (x, y) box centres."""
        return ((self.xyxy[:, :2] + self.xyxy[:, 2:]) / 2).astype(np.float32)

    @property
    def radii(self) -> np.ndarray:
        """(n,) float32: half the mean of box width and height."""
        wh = self.xyxy[:, 2:] - self.xyxy[:, :2]
        return (wh.mean(axis=1) / 2).astype(np.float32)

    def scaled(self, factor: float) -> Lesions:
        """A copy with coordinates multiplied by ``factor`` (resolution change)."""
        return Lesions(self.xyxy * np.float32(factor), self.score, self.type_label, self.type_scores)

    def clipped(self, width: int, height: int) -> Lesions:
        """A copy with boxes clipped to an image of ``width`` x ``height``."""
        xyxy = self.xyxy.copy()
        xyxy[:, [0, 2]] = xyxy[:, [0, 2]].clip(0, width)
        xyxy[:, [1, 3]] = xyxy[:, [1, 3]].clip(0, height)
        return Lesions(xyxy, self.score, self.type_label, self.type_scores)


@dataclass(frozen=True, eq=False)
class DarkSpots:
    """Small dark dots: ``centers`` (n, 2) float32 (x, y), ``radii`` (n,) float32 px,
    ``contrast`` (n,) float32: how much darker than the skin around (CIE L* units)."""

    centers: np.ndarray
    radii: np.ndarray
    contrast: np.ndarray

    @classmethod
    def empty(cls) -> DarkSpots:
        return cls(np.zeros((0, 2), np.float32), np.zeros(0, np.float32), np.zeros(0, np.float32))

    def __len__(self) -> int:
        return len(self.centers)

    def __getitem__(self, index: np.ndarray | slice) -> DarkSpots:
        return DarkSpots(self.centers[index], self.radii[index], self.contrast[index])

    def scaled(self, factor: float) -> DarkSpots:
        return DarkSpots(self.centers * np.float32(factor), self.radii * np.float32(factor), self.contrast)


@dataclass(frozen=True)
class LesionRedness:
    """Redness around one lesion relative to the person's own unaffected skin."""

    delta_a: float
    grade: IrritationGrade


@dataclass(frozen=True, eq=False)
class Redness:
    """CIELAB a* erythema figures; ``delta_map`` is a* minus the baseline, per pixel
    of the analysis resolution (NaN off skin and on the ``anatomy_fraction`` of the
    skin left out as lips, nostrils and folds)."""

    baseline_a: float
    baseline_l: float
    ita_deg: float
    skin_a_mean: float
    delta_p90: float
    inflamed_fraction: float
    grade: IrritationGrade
    per_lesion: tuple[LesionRedness, ...]
    delta_map: np.ndarray
    anatomy_fraction: float = 0.0


@dataclass(frozen=True)
class Quality:
    """Photo quality flags: problems are reported, never raised."""

    skin_fraction: float
    sharpness: float
    mean_l: float
    clipped_highlights: float
    clipped_shadows: float
    flags: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.flags


@dataclass(frozen=True)
class Severity:
    """Hayashi (count), IGA 0-4 and NICE band (counts by type); see ``comedo.grade``."""

    hayashi_grade: int
    hayashi_label: str
    lesion_count: int
    iga_grade: int = 0
    iga_label: str = "clear"
    nice_band: str = "none"
    non_inflammatory: int = 0
    papules_pustules: int = 0
    nodules_cysts: int = 0
    hayashi_upper: tuple[int, int, int] = HAYASHI_UPPER  # count cut-offs used for the grade
    # Set when the detector's grade model gave the grade (``comedo.grade_model``): the count's own band, the
    # model's four probabilities and its estimate of a full count; None and () when the grade is the count's band.
    hayashi_count_grade: int | None = None
    hayashi_probabilities: tuple[float, ...] = ()
    estimated_lesion_count: int | None = None
    # The detector's heat mass on skin (``comedo.detect.base.Candidates``), which a grade model may read; None
    # for a detector without a heatmap.
    heat_mass: float | None = None

    @property
    def hayashi_method(self) -> str:
        """"grade_model" when the detector's grade model gave the grade, else "count"."""
        return "count" if self.hayashi_count_grade is None else "grade_model"


@dataclass(frozen=True)
class Scene:
    """Close-up or wider view, and whether a tool or gloved hand is in frame."""

    view: str  # "close_up" | "wide"
    close_up_probability: float
    instrument_or_fingers: bool
    instrument_confidence: float
    instrument_evidence: tuple[str, ...]


class UntypedCode(str, Enum):
    """Why a detected lesion has no type: a contract in the JSON (``type_reason_code``)."""

    TOO_SMALL = "too_small"  # its crop is under the classifier's smallest
    UNCERTAIN = "uncertain"  # no type scored the classifier's confidence
    NEEDS_SCALE = "needs_scale"  # looks like a nodule or cyst; only a scale can tell it from a large papule
    NO_MODEL = "no_model"  # this build ships no lesion-type model


@dataclass(frozen=True)
class Untyped:
    """A lesion's missing type: the code programs read and the sentence people read."""

    code: UntypedCode
    text: str


@dataclass(frozen=True)
class PhotoType:
    """The photo's dominant lesion type; ``basis`` says how it was decided or why it is unknown."""

    label: str | None
    scores: dict[str, float] | None
    basis: str


@dataclass(frozen=True)
class Description:
    text: str
    lesion_types: tuple[tuple[str, str], ...]  # (type, explanation) for each type present


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
    lesion_dark_core: tuple[bool, ...] = ()  # per lesion: a dark dot (an open comedo's opening) lies inside it
    photo_type: PhotoType | None = None
    type_reasons: tuple[Untyped | None, ...] = ()  # per lesion: why its type is unknown (None when typed)
    description: Description | None = None
    report: object | None = None  # comedo.advice.TriageReport: triage, care plan, extraction advice
