"""What the explanations read from an analysis, as a protocol: the findings and the description take any value
with these fields (``comedo.analysis.Analysis`` is one), so this layer never imports the aggregate built over it."""

from __future__ import annotations

from typing import Protocol

from comedo.grade.result import Severity
from comedo.lesions import Lesions
from comedo.types import DarkSpots, PhotoType, Quality, Redness, Scene, SkinImage

__all__ = ["Observed"]


class Observed(Protocol):
    """The measurements of one photo that the rules and the description read (read-only)."""

    @property
    def image(self) -> SkinImage: ...

    @property
    def lesions(self) -> Lesions: ...

    @property
    def dark_spots(self) -> DarkSpots: ...

    @property
    def redness(self) -> Redness: ...

    @property
    def severity(self) -> Severity: ...

    @property
    def quality(self) -> Quality: ...

    @property
    def scene(self) -> Scene | None: ...

    @property
    def photo_type(self) -> PhotoType | None: ...
