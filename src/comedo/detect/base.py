"""The lesion-detection interface every detector implements."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from comedo.grade.model import CountGradeModel
from comedo.lesions import Lesions
from comedo.measure.colour import ColourPlanes

__all__ = ["Candidates", "LesionDetector"]


@dataclass(frozen=True)
class Candidates:
    """What a detector saw in a photo: its candidates down to the score floor asked for and, for a heatmap
    detector, the heat mass on skin (the sum of its centre heatmap over cells scoring 0.05 or more).

    Why the mass: where lesions crowd, the heatmap's peaks merge and the candidates under-count them, but the
    heat they spread keeps growing with their number, so the grade model reads it beside the scores.
    """

    lesions: Lesions
    heat_mass: float | None = None


class LesionDetector(Protocol):
    """Finds acne lesions in an RGB image at the analysis resolution.

    ``detect`` returns ``Candidates``: ``Lesions`` in the pixel grid of ``rgb``, keeping only those with ``score
    >= min_score``, and the heat mass where the detector has a heatmap; ``close_up`` says lesions may be much
    larger than on a face, so a detector can look at coarser scales too. ``default_min_score`` is the operating
    point for counting; ``hayashi_upper`` the count cut-offs for the Hayashi grade (Hayashi's own, or ones
    fitted for this detector's counts); ``grade_model``, when not None, grades from the scores of all candidates
    down to its ``min_score`` instead (``comedo.grade.model``); ``identity`` names the weights (name and sha256)
    for provenance.
    """

    name: str
    default_min_score: float
    hayashi_upper: tuple[int, int, int]
    grade_model: CountGradeModel | None

    @property
    def identity(self) -> dict[str, str]: ...

    def detect(self, rgb: np.ndarray, planes: ColourPlanes, skin: np.ndarray, *, min_score: float,
               close_up: bool = False) -> Candidates: ...
