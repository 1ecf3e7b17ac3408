"""Comparison images: before and after side by side with each lesion's fate
marked, and the before photo warped onto the after photo as an overlay."""

from __future__ import annotations

import cv2
import numpy as np

from comedo.analysis import Analysis
from comedo.render.text import TextLayer, text_width
from comedo.workflows.compare import Comparison

__all__ = ["side_by_side", "overlay", "aligned_pair"]

RESOLVED = (40, 170, 60)
PERSISTING = (240, 170, 0)
NEW = (220, 30, 30)
OUT = (150, 150, 150)


def _fit(img: np.ndarray, height: int) -> tuple[np.ndarray, float]:
    scale = height / img.shape[0]
    return cv2.resize(img, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA), scale


def _mark(canvas: np.ndarray, analysis: Analysis, indices: list[int], colour: tuple[int, int, int], scale: float,
          offset: int, thick: int) -> None:
    for i in indices:
        x, y = analysis.lesions.centers[i] * scale
        r = max(4, int(analysis.lesions.radii[i] * scale))
        cv2.circle(canvas, (int(x) + offset, int(y)), r, colour, thick, cv2.LINE_AA)


def side_by_side(before: Analysis, after: Analysis, comp: Comparison, *, height: int = 640) -> np.ndarray:
    b, sb = _fit(before.image.pixels, height)
    a, sa = _fit(after.image.pixels, height)
    canvas = np.hstack([b, np.full((height, 8, 3), 255, np.uint8), a])
    offset = b.shape[1] + 8
    thick = max(2, height // 300)
    _mark(canvas, before, list(comp.resolved), RESOLVED, sb, 0, thick)
    _mark(canvas, before, [m.before_index for m in comp.pairs] + list(comp.faded), PERSISTING, sb, 0, thick)
    _mark(canvas, after, [m.after_index for m in comp.pairs], PERSISTING, sa, offset, thick)
    _mark(canvas, after, list(comp.new), NEW, sa, offset, thick)
    _mark(canvas, before, list(comp.out_of_view_before), OUT, sb, 0, 1)
    _mark(canvas, after, list(comp.out_of_view_after), OUT, sa, offset, 1)
    return np.vstack([canvas, _legend(canvas.shape[1], comp)])


def _in_after_frame(before: Analysis, after: Analysis, h_mat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The before photo warped into the after photo's frame, and the before lesions' centres mapped there."""
    a = after.image.pixels
    warped = cv2.warpPerspective(before.image.pixels, h_mat, (a.shape[1], a.shape[0]))
    mapped = cv2.perspectiveTransform(before.lesions.centers.reshape(-1, 1, 2).astype(np.float64),
                                      h_mat).reshape(-1, 2) if len(before.lesions) else np.zeros((0, 2))
    return warped, mapped


def _cross_resolved(canvas: np.ndarray, before: Analysis, comp: Comparison, mapped: np.ndarray, scale: float,
                    thick: int) -> None:
    """A cross where each resolved lesion was (``mapped``: its centre in the after frame)."""
    for i in comp.resolved:
        x, y = mapped[i] * scale
        r = max(4, int(before.lesions.radii[i] * scale))
        cv2.drawMarker(canvas, (int(x), int(y)), RESOLVED, cv2.MARKER_TILTED_CROSS, 2 * r, thick, cv2.LINE_AA)


def _mark_after(canvas: np.ndarray, after: Analysis, comp: Comparison, scale: float, thick: int) -> None:
    """Rings on the after photo's persisting and new lesions."""
    _mark(canvas, after, [m.after_index for m in comp.pairs], PERSISTING, scale, 0, thick)
    _mark(canvas, after, list(comp.new), NEW, scale, 0, thick)


def overlay(before: Analysis, after: Analysis, comp: Comparison) -> np.ndarray:
    """The before photo warped into the after photo's frame, blended 50/50, lesions marked."""
    h_mat = comp.registration.homography
    a = after.image.pixels
    if h_mat is None:
        return a.copy()
    warped, mapped = _in_after_frame(before, after, h_mat)
    valid = cv2.warpPerspective(np.ones(before.image.pixels.shape[:2], np.uint8), h_mat, (a.shape[1], a.shape[0]))
    blend = np.where(valid[..., None] > 0, (0.5 * warped + 0.5 * a), a).astype(np.uint8)
    scale = min(1.0, 1200 / max(blend.shape[:2]))
    canvas, s = _fit(blend, int(blend.shape[0] * scale))
    thick = max(2, canvas.shape[0] // 300)
    _cross_resolved(canvas, before, comp, mapped, s, thick)
    _mark_after(canvas, after, comp, s, thick)
    return np.vstack([canvas, _legend(canvas.shape[1], comp)])


def aligned_pair(before: Analysis, after: Analysis, comp: Comparison) -> tuple[np.ndarray, np.ndarray]:
    """The before photo warped into the after photo's frame and the after photo, at one size (long side at most
    1200 px), each with its lesions' fate marked: resolved (a cross) and faded (a thin ring, still faintly there)
    on the before, persisting and new on the after. The web page lays one over the other under a slider."""
    h_mat = comp.registration.homography
    a = after.image.pixels
    if h_mat is None:
        raise ValueError("the photos were not aligned")
    warped, mapped = _in_after_frame(before, after, h_mat)
    height = int(a.shape[0] * min(1.0, 1200 / max(a.shape[:2])))
    b_canvas, s = _fit(warped, height)
    a_canvas, _ = _fit(a, height)
    thick = max(2, height // 300)
    _cross_resolved(b_canvas, before, comp, mapped, s, thick)
    for i in comp.faded:
        x, y = mapped[i] * s
        cv2.circle(b_canvas, (int(x), int(y)), max(4, int(before.lesions.radii[i] * s)), PERSISTING,
                   max(1, thick // 2), cv2.LINE_AA)
    _mark_after(a_canvas, after, comp, s, thick)
    return b_canvas, a_canvas


def _legend(width: int, comp: Comparison) -> np.ndarray:
    strip = np.full((34, width, 3), 255, np.uint8)
    c = comp.counts
    items = [(RESOLVED, f"resolved {c['resolved']}"), (PERSISTING, f"persisting {c['persisting']}"),
             (NEW, f"new {c['new']}"), (OUT, f"out of view {c['out_of_view']}")]
    x = 8
    words = TextLayer()
    for colour, text in items:
        cv2.circle(strip, (x + 6, 17), 6, colour, -1, cv2.LINE_AA)
        words.add(text, (x + 18, 22), 14, (20, 20, 20))
        x += text_width(text, 14) + 44
    return words.draw(strip)
