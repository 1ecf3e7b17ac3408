"""The annotated PNG: the photo with a redness heat map (and an outline of the skin it leaves out as
lips, nostrils and folds), the skin outline, lesions, dark spots and a legend. Draws on a copy; the
analysis is untouched."""

from __future__ import annotations

import cv2
import numpy as np

from comedo.analysis import Analysis
from comedo.grade.severity import not_graded_short
from comedo.render.face_layer import TRIANGLE_COLOUR, draw_face_map
from comedo.render.images import redness_rgba
from comedo.render.text import TextLayer, text_box, text_width

__all__ = ["annotate", "display_copy", "anatomy_mask", "LAYERS", "DEFAULT_LAYERS", "TYPE_STYLE", "MIN_DISPLAY_SIDE"]

LAYERS = ("redness", "skin", "zones", "lesions", "dark_spots")
DEFAULT_LAYERS = ("lesions",)  # lesions first; dark spots, redness and the skin outline are layers one turns on
MIN_DISPLAY_SIDE = 640  # smaller photos (256 px web close-ups) are enlarged so rings and text can be read
# Ring colour and letter per type: the Okabe-Ito palette (Okabe & Ito 2008), told apart with the common forms of
# colour blindness; the letter carries the type where colour cannot.
TYPE_STYLE: dict[str | None, tuple[tuple[int, int, int], str, str]] = {
    "open_comedo": ((0, 114, 178), "B", "blackhead"),
    "closed_comedo": ((86, 180, 233), "W", "whitehead"),
    "papule": ((230, 159, 0), "P", "papule"),
    "pustule": ((240, 228, 66), "U", "pustule"),
    "nodule": ((213, 94, 0), "N", "nodule"),
    "cyst": ((204, 121, 167), "C", "cyst"),
    None: ((0, 158, 115), "?", "type unknown"),
}
_SPOT = (0, 220, 255)  # RGB cyan
_SKIN = (120, 255, 120)
_LEFT_OUT = (150, 150, 150)  # grey: skin left out of the redness figures as anatomy


def display_copy(img: np.ndarray, max_long_side: int = 1600) -> np.ndarray:
    """The photo at its display size: shrunk to ``max_long_side``, or enlarged to ``MIN_DISPLAY_SIDE`` when
    smaller (a 256 px close-up); always a copy, to draw on. The annotated image and the clean photo beside it in
    the report share it, so they show at one size."""
    long_side = max(img.shape[:2])
    scale = min(1.0, max_long_side / long_side) if long_side >= MIN_DISPLAY_SIDE else MIN_DISPLAY_SIDE / long_side
    if scale == 1.0:
        return img.copy()
    return cv2.resize(img, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC)


def annotate(analysis: Analysis, *, layers: tuple[str, ...] = DEFAULT_LAYERS, max_long_side: int = 1600,
             legend: bool = True) -> np.ndarray:
    """RGB uint8 image (H', W', 3): the annotated photo plus a legend strip below (``legend=False``: none, for a
    page that writes its legend as text). By default only the lesions are drawn (``layers`` adds the others); a
    photo under ``MIN_DISPLAY_SIDE`` is enlarged for display."""
    unknown = set(layers) - set(LAYERS)
    if unknown:
        raise ValueError(f"unknown layers {sorted(unknown)}; choose from {LAYERS}")
    canvas = display_copy(analysis.image.pixels, max_long_side)
    h, w = canvas.shape[:2]
    scale = w / analysis.image.width
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
    if "skin" in layers and analysis.skin.mask.size:  # (none in an analysis read back from its document)
        skin = cv2.resize(analysis.skin.mask.astype(np.uint8), (w, h), interpolation=cv2.INTER_NEAREST)
        contours, _ = cv2.findContours(skin, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        cv2.drawContours(canvas, contours, -1, _SKIN, thick, cv2.LINE_AA)
    if "zones" in layers:
        canvas = draw_face_map(canvas, analysis, thick)
    if "dark_spots" in layers:
        for (x, y), r in zip(analysis.dark_spots.centers * scale, analysis.dark_spots.radii * scale, strict=True):
            cv2.circle(canvas, (int(round(x)), int(round(y))), max(2, int(round(r + 1))), _SPOT, 1, cv2.LINE_AA)
    if "lesions" in layers:
        lesions = analysis.lesions
        taken: list[tuple[int, int, int, int]] = []  # label boxes already drawn: numbers must not collide
        labels = TextLayer()
        leave_alone = _leave_alone(analysis)
        for i, ((x, y), r, kind, in_triangle) in enumerate(zip(lesions.centers * scale, lesions.radii * scale,
                                                               lesions.type_label, lesions.in_danger_triangle,
                                                               strict=True)):
            colour, letter, _ = TYPE_STYLE.get(kind, TYPE_STYLE[None])
            centre = (int(round(x)), int(round(y)))
            radius = max(3, int(round(r)))
            no = (i + 1) in leave_alone
            _ring(canvas, centre, radius + thick, (0, 0, 0), thick, dashed=no)  # a dark edge: any skin tone
            _ring(canvas, centre, radius, colour, thick + 1, dashed=no)
            if no:  # a cross on the ring's edge: "leave it alone" without colour (dashed ring + cross)
                _cross(canvas, centre, radius, thick)
            label = f"{i + 1}{letter}" + ("\u25b3" if in_triangle else "")  # a triangle: in the danger triangle
            size_px = 8 + 5 * thick
            tw, th = text_box(label, size_px)
            spot = _free_label_spot(centre, radius, tw, th, taken, w, h)
            if spot is not None:
                lx, ly = spot
                labels.add(label, (lx, ly), size_px, colour, outline=(0, 0, 0))
                taken.append((lx, ly - th, lx + tw, ly))
        canvas = labels.draw(canvas)
    return np.vstack([canvas, _legend(analysis, w, thick, layers)]) if legend else canvas


def _leave_alone(analysis: Analysis) -> set[int]:
    """The numbers of the lesions the verdict says not to extract (drawn dashed, with a cross)."""
    report = analysis.report
    if report is None:
        return set()
    return {a.number for a in report.extraction.lesions if not a.ok}


def _ring(canvas: np.ndarray, centre: tuple[int, int], radius: int, colour: tuple[int, int, int], thick: int, *,
          dashed: bool) -> None:
    """A circle, solid or in 12 dashes (a ring style that reads without colour)."""
    if not dashed:
        cv2.circle(canvas, centre, radius, colour, thick, cv2.LINE_AA)
        return
    for k in range(12):
        start = k * 30
        cv2.ellipse(canvas, centre, (radius, radius), 0, start, start + 18, colour, thick, cv2.LINE_AA)


def _cross(canvas: np.ndarray, centre: tuple[int, int], radius: int, thick: int) -> None:
    """A small x at the ring's upper-left edge, white on a dark outline."""
    d = max(3, radius // 3)
    cx, cy = int(centre[0] - radius * 0.7), int(centre[1] - radius * 0.7)
    for colour, width in (((0, 0, 0), thick + 2), ((255, 255, 255), thick)):
        cv2.line(canvas, (cx - d, cy - d), (cx + d, cy + d), colour, width, cv2.LINE_AA)
        cv2.line(canvas, (cx - d, cy + d), (cx + d, cy - d), colour, width, cv2.LINE_AA)


def _free_label_spot(centre: tuple[int, int], radius: int, tw: int, th: int,
                     taken: list[tuple[int, int, int, int]], w: int, h: int) -> tuple[int, int] | None:
    """Where a ring's number goes (the text's baseline-left point): the first of eight places around the ring
    that stays in the image and overlaps no number already drawn; None when all are taken (dense clusters)."""
    cx, cy = centre
    gap = radius + 2
    for dx, dy in ((1, -1), (1, 1), (-1, -1), (-1, 1), (0, -1), (0, 1), (1, 0), (-1, 0)):
        lx = cx + gap if dx > 0 else cx - gap - tw if dx < 0 else cx - tw // 2
        ly = cy - gap if dy < 0 else cy + gap + th if dy > 0 else cy + th // 2
        box = (lx, ly - th, lx + tw, ly)
        if box[0] < 0 or box[1] < 0 or box[2] > w or box[3] > h:
            continue
        if all(box[2] < t[0] or box[0] > t[2] or box[3] < t[1] or box[1] > t[3] for t in taken):
            return lx, ly
    return None


def anatomy_mask(analysis: Analysis) -> np.ndarray:
    """Skin left out of the redness figures (NaN in ``delta_map`` on skin), at the analysis resolution."""
    delta = analysis.redness.delta_map
    if analysis.redness.anatomy_fraction <= 0 or delta.shape != analysis.skin.mask.shape:
        return np.zeros(analysis.skin.mask.shape, bool)
    return analysis.skin.mask & np.isnan(delta)


def _legend(analysis: Analysis, width: int, thick: int, layers: tuple[str, ...]) -> np.ndarray:
    """The legend strip. Its rows flow onto more lines, and its text shrinks, where the photo is too narrow for
    them (a 256 px web close-up), so that no entry runs off the edge."""
    sev = analysis.severity
    red = analysis.redness
    styles = [TYPE_STYLE.get(k, TYPE_STYLE[None]) for k in dict.fromkeys(analysis.lesions.type_label.tolist())]
    if not sev.graded:
        grading = f"({not_graded_short(sev)})"
    else:
        grading = "(no acne lesions seen)" if not len(analysis.lesions) else f"(Hayashi {sev.hayashi_label})"
    rows = [[((60, 60, 60), f"lesions: {len(analysis.lesions)} {grading}"),
             *[(colour, f"{letter} {name}") for colour, letter, name in styles]]]
    if _leave_alone(analysis):
        rows[0].append(((40, 40, 40), "dashed ring \u00d7: do not extract"))
    layer_rows = []
    if "dark_spots" in layers:
        layer_rows.append((_SPOT, f"dark spots: {len(analysis.dark_spots)}"))
    if "redness" in layers:
        layer_rows.append(((230, 90, 30), f"redness vs own skin: {red.grade.value} (p90 delta a* {red.delta_p90:.1f})"))
        if red.anatomy_fraction > 0:
            layer_rows.append((_LEFT_OUT, f"not in redness: {red.anatomy_fraction:.0%}"))
    if "skin" in layers:
        layer_rows.append((_SKIN, "skin outline"))
    if "zones" in layers and sev.gags is not None:
        layer_rows.append(((200, 200, 255), f"face zones: GAGS {sev.gags.score} ({sev.gags.label})"))
        layer_rows.append((TRIANGLE_COLOUR, "\u25b3 danger triangle"))
    elif "zones" in layers and analysis.face is not None and not analysis.face.found:
        layer_rows.append(((200, 200, 255), "face zones: no face found"))
    if layer_rows:
        rows.append(layer_rows)
    rows.append([((90, 90, 90), "not a medical device - comedo " + str(analysis.provenance.get("comedo_version", "")))])
    texts = [text for items in rows for _, text in items]
    room = width - 8 - 18 - 4  # left margin, the colour dot, a right margin
    size_px = 13 * thick
    while size_px > 7 and max(text_width(t, size_px) for t in texts) > room:  # the widest entry must fit
        size_px -= 1
    line = int(22 * thick)
    lines: list[list[tuple[int, tuple[int, int, int], str]]] = []
    for items in rows:
        placed: list[tuple[int, tuple[int, int, int], str]] = []
        x = 8
        for colour, text in items:
            tw = text_width(text, size_px)
            if placed and x + 18 + tw > width - 4:
                lines.append(placed)
                placed, x = [], 8
            placed.append((x, colour, text))
            x += tw + 40
        lines.append(placed)
    strip = np.full((line * len(lines) + 8, width, 3), 255, np.uint8)
    words = TextLayer()
    for r, placed in enumerate(lines):
        y = line * (r + 1)
        for x, colour, text in placed:
            cv2.circle(strip, (x + 6, y - 5), 6, colour, -1, cv2.LINE_AA)
            words.add(text, (x + 18, y), size_px, (20, 20, 20))
    return words.draw(strip)
