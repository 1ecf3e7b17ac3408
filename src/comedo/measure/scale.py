"""The photo's scale: millimetres per pixel, where it came from and how sure it is.

``Scale`` is the one record of it: the user's ``--mm-per-px`` (``given``, taken as exact), a ruler in frame
(``ruler``, ``comedo.measure.ruler``) or the iris (``iris``). Evidence values measured in pixels carry keys ending
in ``_px`` (lengths) or ``_xy`` (points), so a scale found on a resized copy is carried back to the photo whole.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Scale", "SCALE_SOURCES"]

SCALE_SOURCES = ("given", "ruler", "iris")


@dataclass(frozen=True)
class Scale:
    """``mm_per_px`` of the oriented photo; ``uncertainty_pct`` is one standard deviation in per cent (None for a
    given scale); ``evidence`` holds JSON-ready measurements behind it."""

    mm_per_px: float
    source: str
    uncertainty_pct: float | None = None
    evidence: dict[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.source not in SCALE_SOURCES:
            raise ValueError(f"source must be one of {SCALE_SOURCES}, got {self.source!r}")
        if not self.mm_per_px > 0:
            raise ValueError(f"mm_per_px must be positive, got {self.mm_per_px!r}")

    def rescaled(self, factor: float) -> Scale:
        """The same scale on a copy of the photo resized by ``factor`` (the copy's pixels per the photo's)."""
        evidence: dict[str, object] = {}
        for key, value in self.evidence.items():
            if key.endswith("_px") and isinstance(value, (int, float)):
                value = round(float(value) * factor, 3)
            elif key.endswith("_px") and isinstance(value, (list, tuple)):
                value = [round(float(v) * factor, 3) for v in value]
            elif key.endswith("_xy") and isinstance(value, (list, tuple)):
                value = [round(float(v) * factor, 1) for v in value]
            evidence[key] = value
        return Scale(self.mm_per_px / factor, self.source, self.uncertainty_pct, evidence)
