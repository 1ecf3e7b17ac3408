"""Colour conversions used by several stages, computed once per analysis.

CIELAB uses OpenCV's float conversion (sRGB, D65), which returns L* in 0..100
and a*, b* in their natural units, so the figures compare with chromameter
literature.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

__all__ = ["ColourPlanes", "colour_planes"]


@dataclass(frozen=True, eq=False)
class ColourPlanes:
    """(H, W) float32 planes: L* 0..100, a*, b*; and YCrCb uint8 (H, W, 3)."""

    lightness: np.ndarray
    a_star: np.ndarray
    b_star: np.ndarray
    ycrcb: np.ndarray
    _copies: dict[int, ColourPlanes] = field(default_factory=dict, repr=False)

    def shrunk(self, side: int) -> ColourPlanes:
        """These planes area-averaged to a long side of at most ``side`` (themselves when already that small),
        made once per size and shared: the skin and scene stages both work on the 320 px copy."""
        h, w = self.lightness.shape
        scale = min(1.0, side / max(h, w))
        if scale >= 1.0:
            return self
        if side not in self._copies:
            def r(x: np.ndarray) -> np.ndarray:
                return cv2.resize(x, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)

            self._copies[side] = ColourPlanes(r(self.lightness), r(self.a_star), r(self.b_star), r(self.ycrcb))
        return self._copies[side]


def colour_planes(rgb: np.ndarray) -> ColourPlanes:
    """CIELAB and YCrCb planes of an (H, W, 3) uint8 RGB image."""
    lab = cv2.cvtColor(rgb.astype(np.float32) * np.float32(1 / 255), cv2.COLOR_RGB2Lab)
    ycrcb = cv2.cvtColor(rgb, cv2.COLOR_RGB2YCrCb)
    return ColourPlanes(lab[..., 0].copy(), lab[..., 1].copy(), lab[..., 2].copy(), ycrcb)
