"""Growth of the lesions a before/after comparison matched, in millimetres.

A size in pixels changes with the camera's distance, so growth is given only where both photos have a scale
(``image.scale``: given, a ruler or the irises); each lesion's diameter is its own outline's
(``comedo.measure.lesion_size``), or its ring where that failed. The uncertainty of each scale is carried to the
growth (root sum of squares of the two diameters' one-SD errors; a given scale counts as exact).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from comedo.analysis import Analysis

__all__ = ["pair_growth", "growth_summary"]


def _uncertainty(analysis: Analysis) -> float:
    scale = analysis.scale
    return 0.0 if scale is None or scale.uncertainty_pct is None else scale.uncertainty_pct / 100.0


def pair_growth(before: Analysis, after: Analysis, pairs: Sequence[object]) -> list[dict[str, float | None]]:
    """For each matched pair (``before_index``, ``after_index``): ``before_diameter_mm``, ``after_diameter_mm``,
    ``growth_mm`` (after minus before) and ``growth_sd_mm``; all null unless both photos have a scale."""
    mm_b, mm_a = before.image.mm_per_px, after.image.mm_per_px
    if not mm_b or not mm_a:
        return [{"before_diameter_mm": None, "after_diameter_mm": None, "growth_mm": None, "growth_sd_mm": None}
                for _ in pairs]
    d_b, d_a = before.lesions.diameters * mm_b, after.lesions.diameters * mm_a
    u_b, u_a = _uncertainty(before), _uncertainty(after)
    out = []
    for pair in pairs:
        b, a = float(d_b[pair.before_index]), float(d_a[pair.after_index])  # type: ignore[attr-defined]
        out.append({"before_diameter_mm": round(b, 2), "after_diameter_mm": round(a, 2), "growth_mm": round(a - b, 2),
                    "growth_sd_mm": round(math.hypot(b * u_b, a * u_a), 2)})
    return out


def growth_summary(before: Analysis, after: Analysis, growth: list[dict[str, float | None]]) -> dict[str, object]:
    """``unit`` ("mm", or null with the reason), the largest growth and shrinkage among the pairs (mm)."""
    if not before.image.mm_per_px or not after.image.mm_per_px:
        missing = [name for name, a in (("before", before), ("after", after)) if not a.image.mm_per_px]
        return {"unit": None, "reason": f"no scale in the {' and '.join(missing)} photo: growth needs both "
                                        "(a ruler in frame, the irises, or --mm-per-px)"}
    changes = [float(g["growth_mm"]) for g in growth if g["growth_mm"] is not None]
    return {"unit": "mm", "largest_growth_mm": max(changes) if changes else None,
            "largest_shrinkage_mm": -min(changes) if changes and min(changes) < 0 else None}
