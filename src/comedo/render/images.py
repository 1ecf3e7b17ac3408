"""Images for the page and report: the oriented photo without metadata, and the
redness heat map as a transparent overlay."""

from __future__ import annotations

import base64

import cv2
import numpy as np

from comedo.analysis import Analysis
from comedo.io import encode_jpeg, encode_png

__all__ = ["photo_jpeg", "redness_rgba", "redness_overlay_png", "png_bytes", "data_uri"]

REDNESS_MIN, REDNESS_MAX = 2.5, 10.0


def redness_rgba(analysis: Analysis, width: int, height: int) -> np.ndarray:
    """(H, W, 4) uint8 RGBA heat map of excess redness (Delta a* 2.5 -> 10), transparent elsewhere (all of it
    for an analysis read back from its document, which keeps no redness map)."""
    if analysis.redness.delta_map.size == 0:
        return np.zeros((height, width, 4), np.uint8)
    delta = cv2.resize(np.nan_to_num(analysis.redness.delta_map, nan=0.0), (width, height),
                       interpolation=cv2.INTER_LINEAR)
    level = np.clip((delta - REDNESS_MIN) / (REDNESS_MAX - REDNESS_MIN), 0, 1)
    heat = cv2.applyColorMap((level * 255).astype(np.uint8), cv2.COLORMAP_INFERNO)[..., ::-1]
    alpha = (np.where(delta >= REDNESS_MIN, 60 + 140 * level, 0)).astype(np.uint8)
    return np.dstack([heat, alpha])


def png_bytes(rgb_or_rgba: np.ndarray) -> bytes:
    return encode_png(rgb_or_rgba)


def photo_jpeg(analysis: Analysis, *, max_long_side: int = 1600, quality: int = 90) -> bytes:
    """The oriented photo re-encoded as JPEG: pixels only, so no EXIF (location) survives."""
    img = analysis.image.pixels
    scale = min(1.0, max_long_side / max(img.shape[:2]))
    if scale < 1:
        img = cv2.resize(img, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    return encode_jpeg(img, quality=quality)


def redness_overlay_png(analysis: Analysis, *, max_long_side: int = 1600) -> bytes:
    h, w = analysis.image.height, analysis.image.width
    scale = min(1.0, max_long_side / max(h, w))
    return png_bytes(redness_rgba(analysis, max(1, round(w * scale)), max(1, round(h * scale))))


def data_uri(data: bytes, media_type: str) -> str:
    return f"data:{media_type};base64,{base64.b64encode(data).decode()}"
