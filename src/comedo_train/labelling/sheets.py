"""Sheets a labeller judges by eye: per photo, the raw photo with a coordinate grid beside the numbered candidates.

Drawn with Pillow and the DejaVu font comedo ships (``comedo/render/fonts``), so numbers stay readable at any
zoom: each is placed outside its ring, in the ring's colour with a black outline, where it overlaps no other
number. Photos with more than ``PER_PANEL`` candidates get an overview sheet and one zoomed sheet per quadrant.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from comedo_train.labelling.vocab import COLOUR, SHORT

__all__ = ["Ring", "draw_sheet", "panel_scale", "grid_step", "quadrants", "PER_PANEL", "TARGET_SIDE"]

PER_PANEL = 30
TARGET_SIDE = 960  # the long side of each panel, px
MAX_ZOOM = 8.0
HEADER_PX = 46
MARGIN_PX = 34  # left and top of the raw panel: the grid's numbers
GAP_PX = 16
RING_COLOURS = ((255, 235, 0), (0, 230, 255), (255, 60, 220), (80, 255, 60), (255, 150, 0), (255, 255, 255))
FONT = Path(__file__).resolve().parents[2] / "comedo" / "render" / "fonts" / "DejaVuSans.ttf"


@dataclass(frozen=True)
class Ring:
    """A ring to draw: centre and radius in the photo's pixels, its label, and a type (for proofs' colours)."""

    x: float
    y: float
    r: float
    label: str
    type: str | None = None


@lru_cache(maxsize=8)
def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT), size)


def panel_scale(width: int, height: int) -> float:
    """How much a photo (or quadrant) of ``width`` x ``height`` is enlarged: its long side to ``TARGET_SIDE``."""
    return min(MAX_ZOOM, TARGET_SIDE / max(width, height))


def grid_step(width: int, height: int, scale: float) -> int:
    """Grid spacing in original pixels: 25 or 50 (or 10 on tiny crops), the first at least ~70 px apart on
    the sheet, so the lines guide the eye without hiding the skin."""
    for step in (10, 25, 50, 100):
        if step * scale >= 70:
            return step
    return 100


def quadrants(width: int, height: int, *, overlap: float = 0.12) -> list[tuple[int, int, int, int, int, int, int,
                                                                               int]]:
    """The four quadrants of a photo: (core x0, y0, x1, y1, view x0, y0, x1, y1). A candidate belongs to the
    quadrant whose core holds its centre; the view adds ``overlap`` of the side around it for context."""
    mx, my = width // 2, height // 2
    ox, oy = round(overlap * width), round(overlap * height)
    out = []
    for y0, y1 in ((0, my), (my, height)):
        for x0, x1 in ((0, mx), (mx, width)):
            out.append((x0, y0, x1, y1, max(0, x0 - ox), max(0, y0 - oy), min(width, x1 + ox),
                        min(height, y1 + oy)))
    return out


def _enlarge(rgb: np.ndarray, view: tuple[int, int, int, int], scale: float) -> Image.Image:
    x0, y0, x1, y1 = view
    crop = Image.fromarray(np.ascontiguousarray(rgb[y0:y1, x0:x1]))
    size = (max(1, round((x1 - x0) * scale)), max(1, round((y1 - y0) * scale)))
    return crop.resize(size, Image.Resampling.LANCZOS)


def _draw_grid(draw: ImageDraw.ImageDraw, view: tuple[int, int, int, int], scale: float, ox: int, oy: int,
               step: int) -> None:
    """Grid lines every ``step`` original pixels over the panel at (ox, oy), numbered in the margins."""
    x0, y0, x1, y1 = view
    font = _font(15)
    w, h = round((x1 - x0) * scale), round((y1 - y0) * scale)
    for gx in range(math.ceil(x0 / step) * step, x1 + 1, step):
        px = ox + round((gx - x0) * scale)
        draw.line([(px, oy), (px, oy + h)], fill=(255, 255, 255, 70), width=1)
        draw.line([(px, oy - 6), (px, oy)], fill=(230, 230, 230, 255), width=1)
        draw.text((px, oy - 8), str(gx), font=font, fill=(230, 230, 230, 255), anchor="mb")
    for gy in range(math.ceil(y0 / step) * step, y1 + 1, step):
        py = oy + round((gy - y0) * scale)
        draw.line([(ox, py), (ox + w, py)], fill=(255, 255, 255, 70), width=1)
        draw.line([(ox - 6, py), (ox, py)], fill=(230, 230, 230, 255), width=1)
        draw.text((ox - 8, py), str(gy), font=font, fill=(230, 230, 230, 255), anchor="rm")


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return max(0.0, w) * max(0.0, h)


def _draw_rings(draw: ImageDraw.ImageDraw, rings: Sequence[Ring], view: tuple[int, int, int, int], scale: float,
                ox: int, oy: int, *, by_type: bool) -> None:
    """Thin rings (colour over a black edge) and their labels outside them, each label placed at the first of
    eight directions where it overlaps no label or ring centre drawn so far and stays on the panel."""
    x0, y0, x1, y1 = view
    pw, ph = (x1 - x0) * scale, (y1 - y0) * scale
    font = _font(19)
    placed: list[tuple[float, float, float, float]] = []
    shown = [(ox + (g.x - x0) * scale, oy + (g.y - y0) * scale, max(g.r * scale, 7.0)) for g in rings]
    for i, (ring, (cx, cy, rr)) in enumerate(zip(rings, shown, strict=True)):
        colour = COLOUR.get(ring.type or "", RING_COLOURS[0]) if by_type else RING_COLOURS[i % len(RING_COLOURS)]
        box = [cx - rr, cy - rr, cx + rr, cy + rr]
        draw.ellipse(box, outline=(0, 0, 0, 255), width=4)
        draw.ellipse(box, outline=(*colour, 255), width=2)
    for i, (ring, (cx, cy, rr)) in enumerate(zip(rings, shown, strict=True)):
        colour = COLOUR.get(ring.type or "", RING_COLOURS[0]) if by_type else RING_COLOURS[i % len(RING_COLOURS)]
        left, top, right, bottom = draw.textbbox((0, 0), ring.label, font=font, anchor="mm", stroke_width=3)
        tw, th = right - left, bottom - top
        options = []
        for angle in (-45, -135, 45, 135, -90, 0, 180, 90, -20, -160, 20, 160):
            a = math.radians(angle)
            d = rr + 4 + 0.5 * math.hypot(tw * math.cos(a), th * math.sin(a))
            tx, ty = cx + d * math.cos(a), cy + d * math.sin(a)
            tb = (tx - tw / 2, ty - th / 2, tx + tw / 2, ty + th / 2)
            cost = sum(_overlap(tb, p) for p in placed)
            # A label over another ring's centre hides that lesion: count it heavily.
            cost += sum(400.0 for sx, sy, _ in shown if tb[0] <= sx <= tb[2] and tb[1] <= sy <= tb[3])
            if tb[0] < ox or tb[1] < oy or tb[2] > ox + pw or tb[3] > oy + ph:
                cost += 1e5
            options.append((cost, len(options), tx, ty, tb))
            if cost == 0:
                break
        _, _, tx, ty, tb = min(options)
        placed.append(tb)
        draw.text((tx, ty), ring.label, font=font, fill=(*colour, 255), anchor="mm", stroke_width=3,
                  stroke_fill=(0, 0, 0, 255))


def draw_sheet(rgb: np.ndarray, rings: Sequence[Ring], header: Sequence[str], *,
               view: tuple[int, int, int, int] | None = None, by_type: bool = False,
               boxes: Sequence[tuple[int, int, int, int, str]] = ()) -> np.ndarray:
    """One sheet (H, W, 3) uint8: a header strip with ``header`` lines; left the raw ``rgb`` (its ``view`` x0, y0,
    x1, y1, default all) enlarged with a grid numbered in original pixels; right the same with ``rings`` (in
    original pixels) and ``boxes`` (x0, y0, x1, y1, label: the quadrants on an overview). ``by_type`` colours
    rings by their type (proofs) instead of cycling high-contrast colours (candidates)."""
    h, w = rgb.shape[:2]
    view = view or (0, 0, w, h)
    scale = panel_scale(view[2] - view[0], view[3] - view[1])
    left = _enlarge(rgb, view, scale)
    pw, ph = left.size
    width = MARGIN_PX + pw + GAP_PX + pw + 8
    height = HEADER_PX + 22 * max(0, len(header) - 2) + MARGIN_PX + ph + 8
    sheet = Image.new("RGBA", (width, height), (40, 40, 44, 255))
    top = height - ph - 8
    sheet.paste(left, (MARGIN_PX, top))
    sheet.paste(left, (MARGIN_PX + pw + GAP_PX, top))
    overlay = Image.new("RGBA", sheet.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    for i, line in enumerate(header):
        draw.text((8, 6 + 22 * i), line, font=_font(17), fill=(255, 255, 255, 255))
    _draw_grid(draw, view, scale, MARGIN_PX, top, grid_step(view[2] - view[0], view[3] - view[1], scale))
    right = MARGIN_PX + pw + GAP_PX
    for bx0, by0, bx1, by1, label in boxes:
        rect = [right + (bx0 - view[0]) * scale, top + (by0 - view[1]) * scale,
                right + (bx1 - view[0]) * scale - 1, top + (by1 - view[1]) * scale - 1]
        draw.rectangle(rect, outline=(255, 255, 255, 255), width=2)
        draw.text((rect[0] + 8, rect[1] + 6), label, font=_font(24), fill=(255, 255, 0, 255), anchor="lt",
                  stroke_width=3, stroke_fill=(0, 0, 0, 255))
    _draw_rings(draw, rings, view, scale, right, top, by_type=by_type)
    return np.asarray(Image.alpha_composite(sheet, overlay).convert("RGB"))


def short_code(type_name: str) -> str:
    """The two-letter code a proof draws beside a ring."""
    return SHORT[type_name]
