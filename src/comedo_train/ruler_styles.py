"""Ruler styles the ruler finder was not written or tuned on, to measure how it generalises (check_ruler --unseen).

Written apart from the test generator (tests/synthetic_rulers.py) and not used to set any threshold:
* ``hand_drawn``: a paper strip with pen ticks: positions jittered (0.06 mm), lengths and strokes uneven, the
  strip slightly bent, handwritten numbers;
* ``sticker``: a printed measuring sticker: a coloured label with rounded corners, ticks along its lower edge,
  "0 1 2 3 cm" printed beside them, a title block and a glossy highlight;
* ``inch_mm``: a two-sided ruler, millimetres along one edge and sixteenths of an inch along the other.

The skin beneath is drawn here too (blotches, pores, a lesion), differently from the tests'.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

__all__ = ["UNSEEN_STYLES", "unseen_ruler_photo"]

UNSEEN_STYLES = ("hand_drawn", "sticker", "inch_mm")
_SS = 3


def _skin(h: int, w: int, rng: np.random.Generator) -> np.ndarray:
    tone = np.array([rng.uniform(120, 225), 0, 0], np.float32)
    tone[1:] = tone[0] * np.array([rng.uniform(0.68, 0.8), rng.uniform(0.55, 0.7)])
    img = np.ones((h, w, 3), np.float32) * tone
    blot = cv2.GaussianBlur(rng.normal(0, 1, (h // 8 + 1, w // 8 + 1)).astype(np.float32), (0, 0), 2)
    img += cv2.resize(blot, (w, h))[..., None] * 12
    img += rng.normal(0, 3, (h, w, 1)).astype(np.float32)
    for _ in range(int(h * w / 600)):
        cv2.circle(img, (int(rng.integers(w)), int(rng.integers(h))), 1, (tone * 0.75).tolist(), -1)
    cx, cy, r = int(rng.uniform(0.2, 0.8) * w), int(rng.uniform(0.2, 0.8) * h), int(rng.uniform(0.04, 0.1) * w)
    cv2.circle(img, (cx, cy), r, (tone * np.array([1.05, 0.7, 0.7])).tolist(), -1, cv2.LINE_AA)
    return img


def _hand_drawn(k: float, length_mm: float, rng: np.random.Generator) -> np.ndarray:
    h, w = int(12 * k), int(length_mm * k)
    img = np.zeros((h, w, 4), np.uint8)
    img[:] = (238, 236, 226, 255)
    img[..., :3] = np.clip(img[..., :3].astype(np.int16) + rng.normal(0, 4, (h, w, 1)).astype(np.int16), 0, 255)
    for i in range(int(length_mm) - 1):
        x = (0.8 + i + rng.normal(0, 0.06)) * k
        base = 10 if i % 10 == 0 else 6.5 if i % 5 == 0 else 4.0
        tick = base * rng.uniform(0.85, 1.15) / 2.5  # mm
        y0 = rng.uniform(0, 0.25) * k
        x1 = x + rng.normal(0, 0.05) * k
        cv2.line(img, (int(x), int(y0)), (int(x1), int(tick * k)), (30, 30, 70, 255),
                 max(1, int(rng.uniform(0.1, 0.22) * k)), cv2.LINE_AA)
        if i % 10 == 0:
            cv2.putText(img, str(i // 10), (int(x - 0.6 * k), int(8.5 * k)), cv2.FONT_HERSHEY_SCRIPT_SIMPLEX,
                        0.08 * k, (30, 30, 70, 255), max(1, int(0.15 * k)), cv2.LINE_AA)
    return img


def _sticker(k: float, length_mm: float, rng: np.random.Generator) -> np.ndarray:
    h, w = int(16 * k), int(length_mm * k)
    colour = [(200, 230, 245), (215, 245, 210), (250, 235, 190)][int(rng.integers(3))]
    img = np.zeros((h, w, 4), np.uint8)
    r = int(2 * k)
    cv2.rectangle(img, (r, 0), (w - r, h - 1), (*colour, 255), -1)
    cv2.rectangle(img, (0, r), (w - 1, h - r), (*colour, 255), -1)
    for cx, cy in ((r, r), (w - r, r), (r, h - r), (w - r, h - r)):
        cv2.circle(img, (cx, cy), r, (*colour, 255), -1, cv2.LINE_AA)
    ink = (10, 40, 90, 255)
    cv2.putText(img, "SCALE / mm", (int(3 * k), int(5 * k)), cv2.FONT_HERSHEY_DUPLEX, 0.07 * k, ink,
                max(1, int(0.12 * k)), cv2.LINE_AA)
    for i in range(int(length_mm - 4)):
        x = int((2 + i) * k)
        tick = 4.0 if i % 10 == 0 else 3.0 if i % 5 == 0 else 1.8
        cv2.line(img, (x, h - 1), (x, int(h - tick * k)), ink, max(1, int(0.12 * k)))
        if i % 10 == 0:
            cv2.putText(img, f"{i // 10}", (x - int(0.7 * k), int(h - 5.2 * k)), cv2.FONT_HERSHEY_SIMPLEX,
                        0.08 * k, ink, max(1, int(0.15 * k)), cv2.LINE_AA)
    cv2.putText(img, "cm", (int(w - 7 * k), int(h - 5.2 * k)), cv2.FONT_HERSHEY_SIMPLEX, 0.08 * k, ink,
                max(1, int(0.15 * k)), cv2.LINE_AA)
    gloss = np.clip(1 - np.abs(np.linspace(-1, 1, w) - rng.uniform(-0.5, 0.5)) * 4, 0, 1)[None, :]
    img[..., :3] = np.clip(img[..., :3] + (gloss * 40)[..., None], 0, 255).astype(np.uint8)
    return img


def _inch_mm(k: float, length_mm: float, rng: np.random.Generator) -> np.ndarray:
    h, w = int(25 * k), int(length_mm * k)
    img = np.zeros((h, w, 4), np.uint8)
    img[:] = (230, 232, 235, 255)
    ink = (15, 15, 15, 255)
    thick = max(1, int(0.14 * k))
    for i in range(int(length_mm) - 2):  # millimetres along the top edge
        x = int((1 + i) * k)
        tick = 5.0 if i % 10 == 0 else 3.5 if i % 5 == 0 else 2.2
        cv2.line(img, (x, 0), (x, int(tick * k)), ink, thick)
        if i % 10 == 0:
            cv2.putText(img, str(i // 10), (x - int(0.7 * k), int(8 * k)), cv2.FONT_HERSHEY_SIMPLEX, 0.08 * k, ink,
                        thick, cv2.LINE_AA)
    sixteenth = 25.4 / 16
    for i in range(int((length_mm - 2) / sixteenth)):  # sixteenths of an inch along the bottom edge
        x = int((1 + i * sixteenth) * k)
        tick = 6.5 if i % 16 == 0 else 5.0 if i % 8 == 0 else 3.8 if i % 4 == 0 else 2.8 if i % 2 == 0 else 1.9
        cv2.line(img, (x, h - 1), (x, int(h - tick * k)), ink, thick)
        if i % 16 == 0:
            cv2.putText(img, str(i // 16), (x - int(0.7 * k), int(h - 8 * k)), cv2.FONT_HERSHEY_SIMPLEX, 0.1 * k,
                        ink, thick, cv2.LINE_AA)
    return img


def unseen_ruler_photo(style: str, *, size: tuple[int, int] = (640, 640), px_per_mm: float = 10.0,
                       angle_deg: float = 0.0, seed: int = 0) -> tuple[np.ndarray, float]:
    """A close-up with a ruler of an unseen ``style``; returns (RGB photo, true mm_per_px)."""
    if style not in UNSEEN_STYLES:
        raise ValueError(f"style must be one of {UNSEEN_STYLES}, got {style!r}")
    rng = np.random.default_rng(seed)
    h, w = size
    photo = _skin(h, w, rng)
    k = px_per_mm * _SS
    length_mm = min(max(h, w) * 1.3 / px_per_mm, 160.0)
    drawing = {"hand_drawn": _hand_drawn, "sticker": _sticker, "inch_mm": _inch_mm}[style](k, length_mm, rng)
    if style == "hand_drawn":  # a paper strip bends a little
        rows, cols = drawing.shape[:2]
        xs = np.arange(cols, dtype=np.float32)
        bend = (rng.uniform(-1, 1) * 0.6 * k * ((xs - cols / 2) / (cols / 2)) ** 2).astype(np.float32)
        map_y = np.arange(rows, dtype=np.float32)[:, None] + bend[None, :]
        map_x = np.broadcast_to(xs[None, :], (rows, cols)).astype(np.float32)
        drawing = cv2.remap(drawing, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
    ruler = cv2.GaussianBlur(drawing.astype(np.float32), (0, 0), _SS * 0.45)
    ruler[..., 3] /= 255.0
    rh, rw = ruler.shape[:2]
    t = math.radians(angle_deg)
    c, s = math.cos(t) / _SS, math.sin(t) / _SS
    cx, cy = w * rng.uniform(0.4, 0.6), h * rng.uniform(0.6, 0.8)
    m = np.array([[c, -s, 0.0], [s, c, 0.0]])
    m[:, 2] = [cx - (c * rw / 2 - s * rh / 2), cy - (s * rw / 2 + c * rh / 2)]
    warped = cv2.warpAffine(ruler, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=(0, 0, 0, 0))
    alpha = warped[..., 3:4]
    photo = photo * (1 - alpha) + warped[..., :3] * alpha
    photo = cv2.GaussianBlur(photo, (0, 0), rng.uniform(0.4, 1.0)) + rng.normal(0, 2.5, photo.shape)
    out = np.clip(photo, 0, 255).astype(np.uint8)
    _, buf = cv2.imencode(".jpg", out[..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(70, 92))])
    return cv2.imdecode(buf, cv2.IMREAD_COLOR)[..., ::-1].copy(), 1.0 / px_per_mm
