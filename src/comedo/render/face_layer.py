"""The annotated image's face-map layer: each zone outlined and named with its lesion count, and the danger
triangle, drawn from the face map on the analysis grid."""

from __future__ import annotations

import cv2
import numpy as np

from comedo.analysis import Analysis
from comedo.face.zones import ZONE_NAMES
from comedo.render.text import TextLayer, text_box

__all__ = ["draw_face_map", "ZONE_COLOURS", "TRIANGLE_COLOUR"]

# Grey-blue tones, apart from the Okabe-Ito ring colours so zones never read as lesion types.
ZONE_COLOURS = {"forehead": (200, 200, 255), "right_cheek": (255, 255, 255), "left_cheek": (255, 255, 255),
                "nose": (200, 255, 255), "chin": (230, 230, 230)}
TRIANGLE_COLOUR = (255, 80, 80)
SHORT = {"forehead": "forehead", "right_cheek": "R cheek", "left_cheek": "L cheek", "nose": "nose", "chin": "chin"}


def draw_face_map(canvas: np.ndarray, analysis: Analysis, thick: int) -> np.ndarray:
    """The canvas (the photo at display size) with the zones and the triangle; unchanged without a face map."""
    face = analysis.face
    if face is None or face.zones is None:
        return canvas
    h, w = canvas.shape[:2]
    grid_h, grid_w = next(iter(face.zones.masks.values())).shape
    sx, sy = w / grid_w, h / grid_h
    labels = TextLayer()
    counts = {name: int(np.sum(analysis.lesions.zone == name)) for name in ZONE_NAMES}
    size_px = 8 + 4 * thick
    for name in ZONE_NAMES:
        mask = face.zones.masks[name]
        colour = ZONE_COLOURS[name]
        if not face.zones.visible[name] or not mask.any():
            continue
        shown = cv2.resize(mask.astype(np.uint8), (w, h), interpolation=cv2.INTER_NEAREST)
        contours, _ = cv2.findContours(shown, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        cv2.drawContours(canvas, contours, -1, (40, 40, 40), thick + 1, cv2.LINE_AA)
        cv2.drawContours(canvas, contours, -1, colour, thick, cv2.LINE_AA)
        ys, xs = np.nonzero(shown)
        text = f"{SHORT[name]} {counts[name]}"
        tw, th = text_box(text, size_px)
        x, y = int(np.median(xs)) - tw // 2, int(np.median(ys)) + th // 2
        labels.add(text, (max(0, min(x, w - tw)), max(th, min(y, h))), size_px, colour, outline=(0, 0, 0))
    triangle = np.round(face.zones.triangle * np.array([sx, sy], np.float32)).astype(np.int32)
    cv2.polylines(canvas, [triangle], True, (0, 0, 0), thick + 2, cv2.LINE_AA)
    cv2.polylines(canvas, [triangle], True, TRIANGLE_COLOUR, thick, cv2.LINE_AA)
    return labels.draw(canvas)
