"""Result types that flow from loading to every output. numpy only.

Stages take these values and return new ones; none is mutated after creation.
Points are (x, y); arrays are indexed [row, col].
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

import numpy as np

__all__ = [
    "SkinImage",
    "SkinMask",
    "DarkSpots",
    "Redness",
    "Quality",
    "Scene",
    "PhotoType",
    "Description",
    "IrritationGrade",
    "LesionType",
    "LesionGroup",
    "Untyped",
    "UntypedCode",
]


class IrritationGrade(str, Enum):
    NONE = "none"
    SLIGHT = "slight"
    MODERATE = "moderate"
    MARKED = "marked"


class LesionGroup(str, Enum):
    """The three clinical groups of the six types, the safety-relevant answer: comedones may be extracted with
    care, inflamed papules and pustules are left to settle, deep nodules and cysts need a professional."""

    COMEDONAL = "comedonal"
    INFLAMED = "inflamed"
    DEEP = "deep"

    @property
    def members(self) -> tuple[LesionType, ...]:
        return tuple(t for t in LesionType if t.group is self)


class LesionType(str, Enum):
    OPEN_COMEDO = "open_comedo"
    CLOSED_COMEDO = "closed_comedo"
    PAPULE = "papule"
    PUSTULE = "pustule"
    NODULE = "nodule"
    CYST = "cyst"

    @property
    def group(self) -> LesionGroup:
        return _GROUP_OF[self.value]

    @classmethod
    def group_of(cls, label: str | None) -> LesionGroup | None:
        """The group of a type value string, None for None (untyped)."""
        return None if label is None else cls(label).group


_GROUP_OF = {"open_comedo": LesionGroup.COMEDONAL, "closed_comedo": LesionGroup.COMEDONAL,
             "papule": LesionGroup.INFLAMED, "pustule": LesionGroup.INFLAMED,
             "nodule": LesionGroup.DEEP, "cyst": LesionGroup.DEEP}


@dataclass(frozen=True, eq=False)
class SkinImage:
    """An oriented RGB photo. ``pixels`` is (H, W, 3) uint8 RGB, never BGR."""

    pixels: np.ndarray
    source: str
    sha256: str
    mm_per_px: float | None = None
    original_format: str | None = None
    taken_at: str | None = None  # ISO 8601 from the photo's EXIF, when it has a date (``comedo.io.capture_time``)

    @property
    def height(self) -> int:
        return int(self.pixels.shape[0])

    @property
    def width(self) -> int:
        return int(self.pixels.shape[1])


@dataclass(frozen=True, eq=False)
class SkinMask:
    """Boolean (H, W) mask of skin at the analysis resolution. Read back from a document, which keeps only the
    fraction, ``mask`` is empty (0, 0) and ``kept_fraction`` holds it."""

    mask: np.ndarray
    kept_fraction: float | None = None

    @property
    def fraction(self) -> float:
        if self.kept_fraction is not None and not self.mask.size:
            return self.kept_fraction
        return float(self.mask.mean()) if self.mask.size else 0.0


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
    NOT_TYPED = "not_typed"  # beyond the largest lesions typed in one photo (the speed budget)


@dataclass(frozen=True)
class Untyped:
    """A lesion's missing type: the code programs read and the sentence people read."""

    code: UntypedCode
    text: str


@dataclass(frozen=True)
class PhotoType:
    """The photo's dominant lesion type and its group; ``basis`` says how it was decided or why it is unknown.

    ``group`` (a ``LesionGroup`` value) may be known where the six-way ``label`` is not (a pustule or a papule,
    but inflamed either way); ``label`` is None or one of ``group``'s members."""

    label: str | None
    scores: dict[str, float] | None
    basis: str
    group: str | None = None
    group_scores: dict[str, float] | None = None
    # The deep group's probability reaches the card's veto: whatever the top group, a nodule or cyst is not
    # ruled out, and nothing in the photo is offered the extraction protocol.
    deep_not_ruled_out: bool = False
    # The deep group's probability reaches the card's ``deep_likely``: a nodule or cyst is likely enough that the
    # triage is at least routine. False where the whole-frame type does not apply (see ``basis``).
    deep_likely: bool = False
    # On a close-up ringed by the close-up detector: the share of its rings typed a look-alike of acne (milium,
    # syringoma, flat wart, keloid, folliculitis; None where that detector did not run), and whether it reaches the
    # detector card's ``lookalike_min_share``: the photo most likely shows a look-alike, and may not be acne.
    lookalike_share: float | None = None
    lookalike_likely: bool = False


@dataclass(frozen=True)
class Description:
    text: str
    lesion_types: tuple[tuple[str, str], ...]  # (type, explanation) for each type present
