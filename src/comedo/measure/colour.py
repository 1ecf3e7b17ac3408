"""Colour conversions used by several stages, computed once per analysis.

CIELAB uses OpenCV's float conversion (sRGB, D65), which returns L* in 0..100
and a*, b* in their natural units, so the figures compare with chromameter
literature.
"""

from __future__ import annotations

from dataclasses import dataclass

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


def colour_planes(rgb: np.ndarray) -> ColourPlanes:
    """CIELAB and YCrCb planes of an (H, W, 3) uint8 RGB image."""
    lab = cv2.cvtColor(rgb.astype(np.float32) * np.float32(1 / 255), cv2.COLOR_RGB2Lab)
    ycrcb = cv2.cvtColor(rgb, cv2.COLOR_RGB2YCrCb)
    return ColourPlanes(lab[..., 0].copy(), lab[..., 1].copy(), lab[..., 2].copy(), ycrcb)
