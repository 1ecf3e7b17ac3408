"""Skin tone as the Individual Typology Angle (ITA) of the person's own baseline skin, in Del Bino's bands.

ITA = atan((L* - 50) / b*) in degrees (Chardon et al. 1991), measured by the redness stage on the skin it uses as
the person's baseline (``Redness.ita_deg``). The bands are Del Bino et al. (2006): every figure reported by skin
tone uses them, so a weaker band shows in the evaluation instead of hiding in an average.
"""

from __future__ import annotations

import math

__all__ = ["ITA_BANDS", "ita_band"]

ITA_BANDS = (("very_light", 55.0, 90.0), ("light", 41.0, 55.0), ("intermediate", 28.0, 41.0), ("tan", 10.0, 28.0),
             ("brown", -30.0, 10.0), ("dark", -90.0, -30.0))


def ita_band(ita_deg: float | None) -> str:
    """The band of an ITA in degrees; "unknown" where none was measured (no skin)."""
    if ita_deg is None or not math.isfinite(ita_deg):
        return "unknown"
    for name, low, high in ITA_BANDS:
        if low <= ita_deg < high:
            return name
    return "very_light" if ita_deg >= 90 else "dark"
