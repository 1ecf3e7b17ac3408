"""Synthetic close-ups with a ruler of known scale in frame (for ``comedo.measure.ruler``).

The skin is textured like a close-up (pores, fine parallel creases, a few hairs, a red bump); the ruler is drawn in
millimetres at 4x supersampling, blurred, then rotated and scaled into the photo, optionally partly covered by a
fingertip, and the photo is JPEG-compressed. The true ``mm_per_px`` comes back with it.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

SS = 4  # supersampling of the ruler drawing
STYLES = ("white", "black", "clear", "yellow_double", "tape")


def skin_close_up(size: tuple[int, int], *, seed: int = 0) -> np.ndarray:
    """(H, W, 3) uint8 RGB skin: tone gradient, mottling, pores, creases, hairs and a red bump."""
    rng = np.random.default_rng(seed)
    h, w = size
    base = np.array([205, 160, 138], np.float32) * rng.uniform(0.55, 1.05)
    img = np.ones((h, w, 3), np.float32) * base
    for sigma, amp in ((40, 10.0), (8, 5.0), (1.5, 4.0)):
        n = cv2.GaussianBlur(rng.normal(0, 1, (h, w)).astype(np.float32), (0, 0), sigma)
        img += (amp * n / max(1e-6, float(n.std())))[..., None] * np.array([1.0, 0.85, 0.8], np.float32)
    for _ in range(int(h * w / 900)):  # pores
        cv2.circle(img, (int(rng.integers(w)), int(rng.integers(h))), int(rng.integers(1, 3)),
                   (base * rng.uniform(0.6, 0.85)).tolist(), -1, cv2.LINE_AA)
    angle = rng.uniform(0, math.pi)
    gap = rng.uniform(6, 14)  # fine creases: near-parallel lines, a periodic texture to be ignored
    for i in range(int(max(h, w) * 1.5 / gap)):
        off = (i - max(h, w) * 0.75 / gap) * gap + rng.normal(0, 1.5)
        cx, cy = w / 2 + off * math.cos(angle + math.pi / 2), h / 2 + off * math.sin(angle + math.pi / 2)
        dx, dy = math.cos(angle) * rng.uniform(20, 80), math.sin(angle) * rng.uniform(20, 80)
        cv2.line(img, (int(cx - dx), int(cy - dy)), (int(cx + dx), int(cy + dy)), (base * 0.88).tolist(), 1,
                 cv2.LINE_AA)
    for _ in range(4):  # hairs
        pts = np.cumsum(rng.normal(0, 6, (12, 2)), axis=0) + rng.uniform(0, [w, h])
        cv2.polylines(img, [pts.astype(np.int32)], False, (60, 45, 40), 1, cv2.LINE_AA)
    bump = np.zeros((h, w), np.float32)
    cv2.circle(bump, (int(w * rng.uniform(0.3, 0.7)), int(h * rng.uniform(0.3, 0.7))), int(min(h, w) * 0.08), 1.0,
               -1)
    bump = cv2.GaussianBlur(bump, (0, 0), min(h, w) * 0.03)
    img += bump[..., None] * np.array([25.0, -30.0, -25.0], np.float32)
    return np.clip(img, 0, 255).astype(np.uint8)


def draw_ruler(length_mm: float, px_per_mm: float, style: str, *, unit: str = "mm",
               seed: int = 0) -> np.ndarray:
    """(h, w, 4) float32 RGBA drawing of a ruler at ``px_per_mm * SS`` px per mm, its axis along x.

    ``unit`` "mm" draws 1 mm ticks (5 and 10 mm longer, numbered each cm); "inch" draws 1/16 inch ticks; "comb"
    draws 1 mm ticks all of one length (a regular pattern that is not a ruler)."""
    rng = np.random.default_rng(seed)
    k = px_per_mm * SS
    width_mm = 14.0 if style == "yellow_double" else 11.0
    h, w = int(width_mm * k), int(length_mm * k)
    body = {"white": (245, 245, 240, 255), "black": (25, 25, 28, 255), "clear": (235, 240, 245, 64),
            "yellow_double": (240, 215, 60, 255), "tape": (250, 250, 235, 255)}[style]
    ink = (245, 245, 245) if style == "black" else (20, 20, 20)
    img = np.zeros((h, w, 4), np.uint8)
    img[:] = body
    thick = max(1, int(round(0.16 * k)))
    if unit in ("mm", "comb"):
        step_mm, count = 1.0, int(length_mm) - 1
        tick_mm = [2.0 if unit == "comb" else 4.5 if i % 10 == 0 else 3.2 if i % 5 == 0 else 2.0
                   for i in range(count)]
    else:
        step_mm, count = 25.4 / 16, int(length_mm / (25.4 / 16)) - 1
        tick_mm = [5.0 if i % 16 == 0 else 4.0 if i % 8 == 0 else 3.0 if i % 4 == 0 else 2.2 if i % 2 == 0 else 1.5
                   for i in range(count)]
    start = rng.uniform(0.4, 1.5)
    edges = (0, 1) if style == "yellow_double" else (0,)
    for edge in edges:
        for i in range(count):
            x = int(round((start + i * step_mm) * k))
            if x >= w:
                break
            y0 = 0 if edge == 0 else h - 1
            y1 = int(tick_mm[i] * k) if edge == 0 else h - 1 - int(tick_mm[i] * k)
            cv2.line(img, (x, y0), (x, y1), (*ink, 255), thick)
            if i % 10 == 0 and edge == 0 and unit == "mm" and style != "clear":
                colour = (200, 30, 30, 255) if style == "tape" else (*ink, 255)
                cv2.putText(img, str(i // 10), (x - int(0.8 * k), int(7.8 * k)), cv2.FONT_HERSHEY_SIMPLEX,
                            0.09 * k, colour, max(1, int(0.2 * k)))
    out = img.astype(np.float32)
    out[..., 3] /= 255.0
    return out


def ruler_photo(*, size: tuple[int, int] = (640, 640), px_per_mm: float = 10.0, angle_deg: float = 0.0,
                style: str = "white", unit: str = "mm", occlude: bool = False, seed: int = 0,
                offset: tuple[float, float] = (0.0, 0.25), jpeg_quality: int = 88) -> tuple[np.ndarray, float]:
    """A close-up with a ruler across it; returns (RGB photo, true mm_per_px).

    ``offset`` places the ruler's centre as fractions of the photo from its centre."""
    rng = np.random.default_rng(seed + 1000)
    h, w = size
    photo = skin_close_up(size, seed=seed).astype(np.float32)
    length_mm = max(h, w) * 1.6 / px_per_mm
    ruler = draw_ruler(length_mm, px_per_mm, style, unit=unit, seed=seed)
    ruler = cv2.GaussianBlur(ruler, (0, 0), SS * 0.5)
    rh, rw = ruler.shape[:2]
    t = math.radians(angle_deg)
    c, s = math.cos(t) / SS, math.sin(t) / SS
    cx, cy = w / 2 + offset[0] * w, h / 2 + offset[1] * h
    m = np.array([[c, -s, 0.0], [s, c, 0.0]])
    m[:, 2] = [cx - (c * rw / 2 - s * rh / 2), cy - (s * rw / 2 + c * rh / 2)]
    warped = cv2.warpAffine(ruler, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=(0, 0, 0, 0))
    alpha = warped[..., 3:4]
    photo = photo * (1 - alpha) + warped[..., :3] * alpha
    if occlude:  # a fingertip over part of the ruler
        fx = cx + math.cos(t) * rng.uniform(-0.1, 0.1) * w
        fy = cy + math.sin(t) * rng.uniform(-0.1, 0.1) * h
        cv2.ellipse(photo, (int(fx), int(fy)), (int(0.12 * w), int(0.2 * h)), angle_deg + 90, 0, 360,
                    (225, 170, 150), -1, cv2.LINE_AA)
    photo = cv2.GaussianBlur(photo, (0, 0), 0.6)
    photo += rng.normal(0, 2.0, photo.shape).astype(np.float32)
    out = np.clip(photo, 0, 255).astype(np.uint8)
    ok, buf = cv2.imencode(".jpg", out[..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, jpeg_quality])
    out = cv2.imdecode(buf, cv2.IMREAD_COLOR)[..., ::-1].copy()
    return out, 1.0 / px_per_mm
