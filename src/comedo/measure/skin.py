"""Skin segmentation: which pixels are the person's skin.

A classical, image-adaptive colour model, chosen because it needs no training
data we do not have and works on every skin tone the seed rule catches:

1. Seed: the explicit YCrCb skin cluster of Chai & Ngan (IEEE TCSVT 9(4), 1999),
   Cr 133-180 / Cb 77-130 (Cr widened upwards so inflamed skin stays in),
   with enough lightness (L* > 20) and chroma (C*ab > 8).
2. Adapt: a Gaussian fitted to the seed's (Cr, Cb) accepts pixels within a
   Mahalanobis distance of 3, catching skin under coloured light.
3. Exclude what skin colour cannot be: very dark pixels (hair, pupils,
   nostrils: L* < 20), achromatic ones (metal tools, white or grey gloves and
   clothes, the white of the eye: C*ab < 8), and blue/green/purple hues
   (nitrile gloves, clothes).
4. Clean up: open, close, drop specks, and fill holes that are small or redder
   than the skin around them (lesions and pustule heads belong to the skin;
   eyes and mouths do not).

Desaturated photos (faded prints, cheap sensors, strong noise reduction) put
whole faces under the fixed chroma floor of step 3 and outside the seed's Cr
range. Their chroma is first stretched so that the photo's upper-quartile
chroma reaches that of an ordinary colour photo; only the mask sees the
stretch, measurements keep the photo's own colours. Photos already that
colourful are left untouched.

Known limits: lips and blonde or red hair have skin-like colour and may be
included; beige latex gloves too. A strong colour cast (green, blue) still
defeats the seed, and where the seed is mostly inflamed skin the fitted colour
model can leave pale skin out.
"""

from __future__ import annotations

import cv2
import numpy as np

from comedo.measure.colour import ColourPlanes
from comedo.types import SkinMask

__all__ = ["chroma_gain", "segment_skin"]

_MIN_L = 20.0
_MIN_CHROMA = 8.0


WORK_SIDE = 320  # the mask is computed at this long side and upsampled: skin boundaries need no more
_DESATURATED_P75 = 12.0  # upper-quartile C*ab of lit pixels below which a photo counts as desaturated
_TARGET_P75 = 16.0  # ... and what its chroma is stretched to (ordinary colour photos sit at 16-30)
_MAX_GAIN = 3.0  # a nearly grey photo is not coloured in: noise would become "skin"


def segment_skin(planes: ColourPlanes, *, min_component_fraction: float = 0.005) -> SkinMask:
    """Skin mask of an image given its colour planes (see module docstring)."""
    full_h, full_w = planes.lightness.shape
    scale = min(1.0, WORK_SIDE / max(full_h, full_w))

    work = planes.shrunk(WORK_SIDE)  # shared with the scene stage
    light, a, b = work.lightness, work.a_star, work.b_star
    cr = work.ycrcb[..., 1].astype(np.float32)
    cb = work.ycrcb[..., 2].astype(np.float32)
    chroma = np.hypot(a, b)
    gain = chroma_gain(chroma, light)
    if gain > 1.0:
        a, b, chroma = a * gain, b * gain, chroma * gain
        cr, cb = 128.0 + (cr - 128.0) * gain, 128.0 + (cb - 128.0) * gain
    hue = np.degrees(np.arctan2(b, a))  # skin sits around 20-80 degrees
    plausible = (light > _MIN_L) & (chroma > _MIN_CHROMA) & (hue > -25) & (hue < 100)
    seed = plausible & (cr >= 133) & (cr <= 180) & (cb >= 77) & (cb <= 130)
    mask = seed
    if seed.sum() > 200:
        samples = np.stack([cr[seed], cb[seed]], axis=1)
        mean = samples.mean(axis=0)
        cov = np.cov(samples, rowvar=False) + np.eye(2, dtype=np.float64) * 4.0
        inv = np.linalg.inv(cov).astype(np.float32)
        dx, dy = cr - np.float32(mean[0]), cb - np.float32(mean[1])
        mahal = inv[0, 0] * dx * dx + 2 * inv[0, 1] * dx * dy + inv[1, 1] * dy * dy
        mask = plausible & ((mahal < 9.0) | seed)
    mask = _clean(mask.astype(np.uint8), a, min_component_fraction)
    if scale < 1.0:
        mask = cv2.resize(mask.astype(np.float32), (full_w, full_h), interpolation=cv2.INTER_LINEAR) >= 0.5
    return SkinMask(mask.astype(bool))


def chroma_gain(chroma: np.ndarray, lightness: np.ndarray) -> float:
    """How much to stretch a desaturated photo's chroma before the skin rule (1.0: not desaturated)."""
    lit = chroma[lightness > _MIN_L]
    if lit.size < 100:
        return 1.0
    p75 = float(np.percentile(lit, 75))
    if p75 >= _DESATURATED_P75:
        return 1.0
    return float(min(_MAX_GAIN, _TARGET_P75 / max(p75, 1e-3)))


def _clean(mask: np.ndarray, a_star: np.ndarray, min_component_fraction: float) -> np.ndarray:
    h, w = mask.shape
    k = max(3, int(round(min(h, w) / 160)) | 1)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k))
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, kernel)
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, kernel)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    min_area = min_component_fraction * h * w
    keep = np.zeros(n, bool)
    keep[1:] = stats[1:, cv2.CC_STAT_AREA] >= min_area
    mask = keep[labels].astype(np.uint8)
    if not mask.any():
        return mask
    # Holes: background components not touching the border.
    inverse = (1 - mask).astype(np.uint8)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(inverse, connectivity=4)
    skin_a = float(np.median(a_star[mask > 0]))
    area = stats[:, cv2.CC_STAT_AREA].astype(np.float64)
    mean_a = np.bincount(labels.ravel(), weights=a_star.ravel().astype(np.float64), minlength=n) / np.maximum(area, 1)
    border = np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]]))
    fill = (area <= 0.002 * h * w) | (mean_a > skin_a + 3.0)
    fill[0] = False
    fill[border] = False
    return (mask.astype(bool) | fill[labels]).astype(np.uint8)
