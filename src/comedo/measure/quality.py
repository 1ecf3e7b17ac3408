"""Photo quality flags. A poor photo is analysed anyway and flagged, with a hint
to retake it; nothing here raises.

* ``too_little_skin``: skin covers under 5 % of the frame.
* ``blurry``: sharpness (variance of the Laplacian of L* on skin, Pertuz et
  al., Pattern Recognit 46:1415-1432, 2013) below 8 at the analysis scale.
  The threshold was set on the ACNE04 photos, which are soft but usable.
* ``overexposed`` / ``underexposed``: over 10 % of skin clipped at L* > 97 or
  under L* 3, or a skin median L* above 90 / below 20.
* ``no_colour``: the 95th percentile of C*ab over the frame under 5, a black-and-white photo (or one behind a
  strong filter), where a colour skin model finds nothing; it replaces ``too_little_skin``, whose hint
  (frame the skin closer) would mislead. Black-and-white portraits measure 0-2.8, colour photos of ACNE04,
  faces-wild and the lesion types 10 or more (docs/performance.md).
"""

from __future__ import annotations

import cv2
import numpy as np

from comedo.measure.colour import ColourPlanes
from comedo.types import Quality

__all__ = ["assess_quality", "QUALITY_FLAGS", "NO_COLOUR_CHROMA"]

QUALITY_FLAGS = {
    "too_little_skin": "Little or no skin was found; frame the skin so it fills more of the photo.",
    "blurry": "The photo is blurry; hold the camera still, tap to focus and retake it.",
    "overexposed": "The photo is too bright (washed out); avoid direct flash or sunlight and retake it.",
    "underexposed": "The photo is too dark; use even, bright light and retake it.",
    "no_colour": "The photo has no colour (black and white, or a filter): skin, lesions and redness need a colour "
                 "photo; retake it in colour, without a filter.",
}
NO_COLOUR_CHROMA = 5.0  # C*ab: under it at the frame's 95th percentile, the photo has no colour to measure


def assess_quality(planes: ColourPlanes, skin: np.ndarray) -> Quality:
    light = planes.lightness
    fraction = float(skin.mean()) if skin.size else 0.0
    region = skin if skin.sum() >= 100 else np.ones_like(skin, bool)
    lap = cv2.Laplacian(light, cv2.CV_32F, ksize=3)
    inner = cv2.erode(region.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    if inner.sum() < 100:
        inner = region
    sharpness = float(lap[inner].var())
    values = light[region]
    mean_l = float(np.median(values))
    high = float((values > 97).mean())
    low = float((values < 3).mean())
    flags = []
    colourless = float(np.percentile(np.hypot(planes.a_star[::4, ::4], planes.b_star[::4, ::4]), 95)) < NO_COLOUR_CHROMA
    if colourless:
        flags.append("no_colour")
    elif fraction < 0.05:
        flags.append("too_little_skin")
    if sharpness < 8.0:
        flags.append("blurry")
    if high > 0.10 or mean_l > 90:
        flags.append("overexposed")
    if low > 0.10 or mean_l < 20:
        flags.append("underexposed")
    return Quality(fraction, sharpness, mean_l, high, low, tuple(flags))
