"""The lesion-detection interface every detector implements."""

from __future__ import annotations

from typing import Protocol

import numpy as np

from comedo.colour import ColourPlanes
from comedo.grade_model import CountGradeModel
from comedo.types import Lesions

__all__ = ["LesionDetector"]


class LesionDetector(Protocol):
    """Finds acne lesions in an RGB image at the analysis resolution.

    ``detect`` returns ``Lesions`` in the pixel grid of ``rgb``, keeping only
    those with ``score >= min_score``; ``close_up`` says lesions may be much
    larger than on a face, so a detector can look at coarser scales too. ``default_min_score`` is the operating
    point for counting; ``hayashi_upper`` the count cut-offs for the Hayashi
    grade (Hayashi's own, or ones fitted for this detector's counts); ``grade_model``, when not None,
    grades from the scores of all candidates down to its ``min_score`` instead (``comedo.grade_model``);
    ``identity`` names the weights (name and sha256) for provenance.
    """

    name: str
    default_min_score: float
    hayashi_upper: tuple[int, int, int]
    grade_model: CountGradeModel | None

    @property
    def identity(self) -> dict[str, str]: ...

    def detect(self, rgb: np.ndarray, planes: ColourPlanes, skin: np.ndarray, *, min_score: float,
               close_up: bool = False) -> Lesions: ...
