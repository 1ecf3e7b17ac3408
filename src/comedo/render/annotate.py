"""The annotated PNG: the photo with a redness heat map (and an outline of the skin it leaves out as
lips, nostrils and folds), the skin outline, lesions, dark spots and a legend. Draws on a copy; the
analysis is untouched."""

from __future__ import annotations

import cv2
import numpy as np

from comedo.render.images import redness_rgba
from comedo.types import Analysis

__all__ = ["annotate", "anatomy_mask", "LAYERS"]

LAYERS = ("redness", "skin", "lesions", "dark_spots")
_LESION = (255, 64, 160)  # RGB magenta
_SPOT = (0, 220, 255)  # RGB cyan
_SKIN = (120, 255, 120)
_LEFT_OUT = (150, 150, 150)  # grey: skin left out of the redness figures as anatomy
_FONT = cv2.FONT_HERSHEY_SIMPLEX


def annotate(analysis: Analysis, *, layers: tuple[str, ...] = LAYERS, max_long_side: int = 1600) -> np.ndarray:
    """RGB uint8 image (H', W', 3): the annotated photo plus a legend strip below."""
    unknown = set(layers) - set(LAYERS)
    if unknown:
        raise ValueError(f"unknown layers {sorted(unknown)}; choose from {LAYERS}")
    img = analysis.image.pixels
    scale = min(1.0, max_long_side / max(img.shape[:2]))
    canvas = cv2.resize(img, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else img.copy()
    h, w = canvas.shape[:2]
    thick = max(1, round(max(h, w) / 500))

    if "redness" in layers:
        rgba = redness_rgba(analysis, w, h)
        alpha = rgba[..., 3:4].astype(np.float32) / 255
        canvas = (canvas * (1 - alpha) + rgba[..., :3] * alpha).astype(np.uint8)
        left_out = anatomy_mask(analysis)
        if left_out.any():
            small = cv2.resize(left_out.astype(np.uint8), (w, h), interpolation=cv2.INTER_NEAREST)
            contours, _ = cv2.findContours(small, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
            cv2.drawContours(canvas, contours, -1, _LEFT_OUT, thick, cv2.LINE_8)
    if "skin" in layers:
        skin = cv2.resize(analysis.skin.mask.astype(np.uint8), (w, h), interpolation=cv2.INTER_NEAREST)
        contours, _ = cv2.findContours(skin, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        cv2.drawContours(canvas, contours, -1, _SKIN, thick, cv2.LINE_AA)
    if "dark_spots" in layers:
        for (x, y), r in zip(analysis.dark_spots.centers * scale, analysis.dark_spots.radii * scale, strict=True):
            cv2.circle(canvas, (int(round(x)), int(round(y))), max(2, int(round(r + 1))), _SPOT, 1, cv2.LINE_AA)
    if "lesions" in layers:
        lesions = analysis.lesions
        for i, ((x, y), r, s) in enumerate(zip(lesions.centers * scale, lesions.radii * scale, lesions.score,
                                               strict=True)):
            centre = (int(round(x)), int(round(y)))
            cv2.circle(canvas, centre, max(3, int(round(r))), _LESION, thick + 1, cv2.LINE_AA)
            label = f"{i + 1}"
            cv2.putText(canvas, label, (centre[0] + int(r) + 2, centre[1] - int(r)), _FONT, 0.35 * thick + 0.1,
                        _LESION, max(1, thick), cv2.LINE_AA)
    return np.vstack([canvas, _legend(analysis, w, thick)])


def anatomy_mask(analysis: Analysis) -> np.ndarray:
    """Skin left out of the redness figures (NaN in ``delta_map`` on skin), at the analysis resolution."""
    delta = analysis.redness.delta_map
    if analysis.redness.anatomy_fraction <= 0 or delta.shape != analysis.skin.mask.shape:
        return np.zeros(analysis.skin.mask.shape, bool)
    return analysis.skin.mask & np.isnan(delta)


def _legend(analysis: Analysis, width: int, thick: int) -> np.ndarray:
    """The legend strip. Its rows flow onto more lines, and its text shrinks, where the photo is too narrow for
    them (a 256 px web close-up), so that no entry runs off the edge."""
    sev = analysis.severity
    red = analysis.redness
    rows = [
        [(_LESION, f"lesions: {len(analysis.lesions)} "
                   + (f"(Hayashi {sev.hayashi_label})" if sev.graded else "(close-up, not graded)")),
         (_SPOT, f"dark spots: {len(analysis.dark_spots)}"),
         *([(_LEFT_OUT, f"not in redness: {red.anatomy_fraction:.0%}")] if red.anatomy_fraction > 0 else [])],
        [(_SKIN, "skin outline"),
         ((230, 90, 30), f"redness vs own skin: {red.grade.value} (p90 delta a* {red.delta_p90:.1f})")],
        [((90, 90, 90), "not a medical device - comedo " + str(analysis.provenance.get("comedo_version", "")))],
    ]
    texts = [text for items in rows for _, text in items]
    room = width - 8 - 18 - 4  # left margin, the colour dot, a right margin
    scale_txt = 0.45 * thick
    # Hershey glyphs do not shrink in proportion to the scale, so shrink until the widest entry is measured to fit.
    while scale_txt > 0.1 and max(cv2.getTextSize(t, _FONT, scale_txt, 1)[0][0] for t in texts) > room:
        scale_txt *= 0.95
    line = int(22 * thick)
    lines: list[list[tuple[int, tuple[int, int, int], str]]] = []
    for items in rows:
        placed: list[tuple[int, tuple[int, int, int], str]] = []
        x = 8
        for colour, text in items:
            tw = cv2.getTextSize(text, _FONT, scale_txt, 1)[0][0]
            if placed and x + 18 + tw > width - 4:
                lines.append(placed)
                placed, x = [], 8
            placed.append((x, colour, text))
            x += tw + 40
        lines.append(placed)
    strip = np.full((line * len(lines) + 8, width, 3), 255, np.uint8)
    for r, placed in enumerate(lines):
        y = line * (r + 1)
        for x, colour, text in placed:
            cv2.circle(strip, (x + 6, y - 5), 6, colour, -1, cv2.LINE_AA)
            cv2.putText(strip, text, (x + 18, y), _FONT, scale_txt, (20, 20, 20), 1, cv2.LINE_AA)
    return strip
