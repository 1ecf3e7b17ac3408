"""A ruler in frame gives the photo's scale: ``find_ruler(image) -> RulerSearch`` (a ``Scale`` or None, and why).

Clinic close-ups often carry a millimetre ruler or a measuring sticker. A ruler is a straight strip of ticks at a
regular period whose lengths follow a fixed pattern (every 5th and 10th millimetre longer; every 2nd, 4th, 8th and
16th sixteenth of an inch longer). Skin texture, pores, hair and JPEG block edges can be periodic for a few
periods, but not over a dozen ticks with that length pattern, so both are required:

1. **Orientation.** The ruler's edges and its ticks are straight and mutually perpendicular, so the histogram of
   gradient directions folded modulo 90 degrees (weighted by gradient magnitude) peaks at the ruler's angle; the
   strongest peaks are the candidate angles.
2. **Periodic windows.** The photo is rotated so a candidate axis is horizontal (and, transposed, vertical), and
   reduced to a 3-level pyramid; rows are averaged in thin bands and each band cut into windows of ``WINDOW`` px.
   A window is periodic where its normalised autocorrelation (Wiener-Khinchin, via the FFT; Box, Jenkins &
   Reinsel, *Time Series Analysis*, 4th ed., 2008, 2.1) has a local peak of at least ``MIN_ACF`` at a lag ``p``
   of 4-12 px, is still high at ``2p`` and low at ``p/2`` (a sub-multiple would be the true period). Each window
   then holds at least 8 periods. Touching periodic windows with one period form a candidate strip.
3. **Ticks.** Along the strip's fitted axis the ticks are sampled (one warp), found one by one near the grid the
   period predicts (sub-pixel, by a parabola through the extremum), and a straight line ``u_k = a + p k`` fitted
   to their positions (least squares with outliers dropped) gives the period ``p`` and its standard error.
4. **Length pattern.** Each tick's length (how far its contrast reaches across the strip) is compared with the
   patterns of a millimetre ruler (5 and 10 mm longer, or 10 mm only) and an inch ruler (sixteenths or eighths)
   at every phase; the pattern that explains most of the length variance (adjusted R^2), each of its ranks
   longer than the one below and its longest ticks 1.25-6 times its shortest, gives the unit of one tick (ticks
   cut by the frame are left out). Without such a pattern there is no scale: regular ticks alone cannot tell a
   ruler from a woven fabric. Half-millimetre rulers are not read: on a hand-drawn ruler of uneven ticks their
   pattern (every second tick longer) was matched by chance, halving the scale, and a wrong unit is worse than
   no scale.

``mm_per_px = unit_mm / p``. Its uncertainty (one standard deviation, per cent) combines the fit's standard
error, half the change of the period along the ruler (a ruler tilted towards the camera is foreshortened unevenly,
and the lesion lies beside it, not on it) and a floor of ``FLOOR_PCT`` for the ruler's and the skin's planes
differing (thickness, curvature), our documented choice. A ruler whose ticks are 1/10 inch has the millimetre
pattern and would be read as millimetres (2.54 times too small); such rulers are rare on skin.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import cv2
import numpy as np

from comedo.measure.ruler_ticks import RULER_PATTERNS, Strip, measure_strip
from comedo.measure.scale import Scale

__all__ = ["find_ruler", "RulerSearch", "RULER_PATTERNS", "WORK_LONG_SIDE"]

WORK_LONG_SIDE = 640  # the photo is searched at most this large: a millimetre of 4 px or more, fields up to 16 cm
WINDOW = 96  # px per window at each pyramid level
MIN_PERIOD, MAX_PERIOD = 4, 12  # lags searched at each level: at least 8 periods per window
LEVELS = 3  # pyramid levels: periods 4-48 px at the working size
BAND, BAND_STEP = 6, 3  # rows averaged per band, and the step between bands
MIN_ENERGY = 64.0  # mean square of a window's short-period detail (grey levels^2): skin texture goes no further
COHERENCE = 4.0  # detail repeated by the next row over detail that differs: ticks run across the band
FFT_SIZE = 128  # zero-padded: no circular wrap below lag FFT_SIZE - WINDOW = 32 > 2 * MAX_PERIOD
MIN_ACF = 0.5  # normalised autocorrelation at the period for a window to count as periodic
MIN_TICKS = 12  # ticks a ruler must show (more than a centimetre of a millimetre ruler)


@dataclass(frozen=True)
class RulerSearch:
    """What the search found: a ``Scale`` (source ``ruler``) in pixels of the image searched, or None, and in a
    sentence why (or what was found)."""

    scale: Scale | None
    reason: str


def find_ruler(image: np.ndarray, *, min_ticks: int = MIN_TICKS) -> RulerSearch:
    """Find a ruler in ``image`` ((H, W, 3) uint8 RGB or (H, W) grey) and the photo's scale from it.

    Returns a ``RulerSearch`` whose ``scale`` is in pixels of ``image`` (None when no ruler is found, with the
    reason). Never raises on a photo without a ruler."""
    if image.ndim not in (2, 3) or image.shape[0] < 32 or image.shape[1] < 32:
        raise ValueError(f"image must be (H, W, 3) or (H, W) and at least 32 px a side, got shape {image.shape}")
    grey = image if image.ndim == 2 else cv2.cvtColor(np.ascontiguousarray(image), cv2.COLOR_RGB2GRAY)
    h, w = grey.shape
    factor = min(1.0, WORK_LONG_SIDE / max(h, w))
    if factor < 1.0:
        grey = cv2.resize(grey, (max(1, round(w * factor)), max(1, round(h * factor))), interpolation=cv2.INTER_AREA)
    work = grey.astype(np.float32)
    pyramid = [work]
    for _ in range(LEVELS - 1):
        pyramid.append(cv2.pyrDown(pyramid[-1]))
    reasons = []
    for angle in _candidate_angles(pyramid[1]):  # strongest first; a ruler found ends the search
        strips = sorted(_periodic_strips(pyramid, angle), key=lambda s: -s.windows)
        for strip in (_across(s, work.shape[1], work.shape[0]) for s in strips[:2]):
            found, reason = measure_strip(work, strip, min_ticks=min_ticks)
            if found is not None:
                return RulerSearch(found.rescaled(1.0 / factor), reason)  # back to the image's pixels
            reasons.append((strip.windows, reason))
    if not reasons:
        return RulerSearch(None, "no strip of regular ticks")
    return RulerSearch(None, max(reasons, key=lambda r: r[0])[1])


def _candidate_angles(half: np.ndarray, count: int = 2, block: int = 8) -> list[float]:
    """The strongest directions of straight structure modulo 90 degrees (a ruler's edges and ticks agree), from
    the half-size image: each block's gradients summed as |g|^2 e^{4i theta} (the doubled-angle structure tensor
    doubled again, so perpendicular edges add; Granlund & Knutsson, *Signal Processing for Computer Vision*, 1995),
    and the blocks' angles histogrammed by their coherent strength."""
    gx = cv2.Sobel(half, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(half, cv2.CV_32F, 0, 1, ksize=3)
    c2, s2 = gx * gx - gy * gy, 2 * gx * gy
    norm = gx * gx + gy * gy + 1e-3
    c4, s4 = (c2 * c2 - s2 * s2) / norm, 2 * c2 * s2 / norm
    h, w = half.shape
    size = (max(1, w // block), max(1, h // block))
    bc = cv2.resize(c4[: size[1] * block, : size[0] * block], size, interpolation=cv2.INTER_AREA).ravel()
    bs = cv2.resize(s4[: size[1] * block, : size[0] * block], size, interpolation=cv2.INTER_AREA).ravel()
    angle = (np.degrees(np.arctan2(bs, bc)) / 4.0) % 90.0
    bins = np.bincount(angle.astype(np.int32) % 90, weights=np.hypot(bc, bs), minlength=90)
    smooth = np.convolve(np.concatenate([bins[-3:], bins, bins[:3]]), [1, 2, 3, 2, 1], "same")[3:-3]
    peaks = [i for i in range(90) if smooth[i] >= smooth[i - 1] and smooth[i] > smooth[(i + 1) % 90]]
    peaks.sort(key=lambda i: -smooth[i])
    out: list[float] = []
    for i in peaks:
        a, b, c = smooth[i - 1], smooth[i], smooth[(i + 1) % 90]
        off = 0.5 * (a - c) / (a - 2 * b + c) if a - 2 * b + c != 0 else 0.0
        angle_i = (i + 0.5 + off) % 90.0
        if all(min(abs(angle_i - o), 90 - abs(angle_i - o)) >= 6 for o in out):
            out.append(angle_i)
        if len(out) == count:
            break
    return out


def _rotation(angle_deg: float, w: int, h: int) -> tuple[np.ndarray, int, int]:
    """The affine map (2x3) that turns direction ``angle_deg`` into +x, on a canvas holding the whole image."""
    t = math.radians(angle_deg)
    c, s = math.cos(t), math.sin(t)
    nw, nh = int(math.ceil(abs(w * c) + abs(h * s))), int(math.ceil(abs(w * s) + abs(h * c)))
    cx, cy = (w - 1) / 2, (h - 1) / 2
    m = np.array([[c, s, 0.0], [-s, c, 0.0]])
    m[:, 2] = [(nw - 1) / 2 - (c * cx + s * cy), (nh - 1) / 2 - (-s * cx + c * cy)]
    return m, nw, nh


def _periodic_strips(pyramid: list[np.ndarray], angle: float) -> list[Strip]:
    """Candidate strips along ``angle`` and ``angle + 90``: touching periodic windows with one period.

    Each pyramid level is warped twice, straight into its bands: rotated and sampled every ``BAND_STEP`` rows
    (the ticks then run down the columns, so sampling across them loses nothing), and likewise every
    ``BAND_STEP`` columns for the perpendicular axis."""
    h, w = pyramid[0].shape
    m, nw, nh = _rotation(angle, w, h)
    inv = cv2.invertAffineTransform(m)
    strips = []
    for level, img in enumerate(pyramid):
        f = 2.0 ** level
        lw, lh = int(nw / f), int(nh / f)
        if min(lw, lh) < WINDOW + BAND:
            break
        base = np.array([[m[0, 0], m[0, 1], m[0, 2] / f], [m[1, 0], m[1, 1], m[1, 2] / f]])
        rows = cv2.warpAffine(img, base * np.array([[1.0], [1.0 / BAND_STEP]]), (lw, lh // BAND_STEP),
                              flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
        cols = cv2.warpAffine(img, base * np.array([[1.0 / BAND_STEP], [1.0]]), (lw // BAND_STEP, lh),
                              flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
        for transposed, thirds in ((False, rows), (True, np.ascontiguousarray(cols.T))):
            strips.extend(_strips_in(thirds, level, transposed, angle, inv, (w, h)))
    return strips


def _strips_in(thirds: np.ndarray, level: int, transposed: bool, angle: float, inv: np.ndarray,
               size: tuple[int, int]) -> list[Strip]:
    """Periodic windows of horizontal bands (``thirds``: the rotated image's every ``BAND_STEP``-th row),
    grouped into strips in working coordinates."""
    bands = 0.5 * (thirds[:-1] + thirds[1:])  # two rows BAND_STEP apart per band
    step = WINDOW // 2
    nwin = (bands.shape[1] - WINDOW - 4) // step + 1
    if nwin < 1 or len(bands) < 1:
        return []
    # Screen: only windows with strong detail along the band that the next row repeats (ticks run across the
    # band; skin texture does not) go on to the FFT.
    # (a + b)^2 and (a - b)^2 of two rows' detail from block means of a^2 and ab (OpenCV: one pass each).
    width = (nwin + 1) * step
    detail = cv2.subtract(thirds[:, 4: 4 + width], thirds[:, 2: 2 + width])
    blocks = (nwin + 1, len(thirds))
    square = cv2.resize(cv2.multiply(detail, detail), blocks, interpolation=cv2.INTER_AREA)
    cross = cv2.resize(cv2.multiply(detail[:-1], detail[1:]), (nwin + 1, len(bands)), interpolation=cv2.INTER_AREA)
    both = square[:-1] + square[1:]
    same, differ = both + 2 * cross, both - 2 * cross
    same, differ = same[:, :-1] + same[:, 1:], differ[:, :-1] + differ[:, 1:]
    energy = np.where(same >= COHERENCE * differ, same / 8, 0.0)  # ~ the mean square of the detail
    idx = np.arange(nwin) * step
    ys = np.arange(len(bands)) * BAND_STEP + BAND_STEP / 2
    cand_r, cand_w = np.nonzero(energy >= MIN_ENERGY)
    inside = _inside(ys[cand_r], idx[cand_w], level, transposed, inv, size)
    cand_r, cand_w = cand_r[inside], cand_w[inside]
    if len(cand_r) == 0:
        return []
    raw = bands[cand_r[:, None], idx[cand_w][:, None] + np.arange(WINDOW + 4)[None, :]]
    prof = (raw[:, :-4] + 4 * raw[:, 1:-3] + 6 * raw[:, 2:-2] + 4 * raw[:, 3:-1] + raw[:, 4:]) / 16  # binomial, ~1 px
    prof = prof - prof.mean(axis=1, keepdims=True)
    ramp = np.linspace(-1.0, 1.0, WINDOW, dtype=np.float32)
    prof = prof - (prof @ ramp)[:, None] * ramp / float(ramp @ ramp)
    spec = np.fft.rfft(prof, n=FFT_SIZE, axis=1)
    acf = np.fft.irfft(spec.real ** 2 + spec.imag ** 2, n=FFT_SIZE, axis=1)[:, : 2 * MAX_PERIOD + 2]
    lags = np.arange(acf.shape[1])
    acf = acf / (WINDOW - lags) * (WINDOW / np.maximum(acf[:, :1], 1e-6))
    best = acf[:, MIN_PERIOD:MAX_PERIOD + 1].argmax(axis=1) + MIN_PERIOD
    at_ = np.arange(len(best))
    at, before, after = acf[at_, best], acf[at_, best - 1], acf[at_, best + 1]
    twice, half = acf[at_, 2 * best], acf[at_, np.round(best / 2).astype(int)]
    periodic = (at >= MIN_ACF) & (at >= before) & (at > after) & (twice >= 0.6 * at) & (half <= 0.5 * at)
    if not periodic.any():
        return []
    denom = before - 2 * at + after
    period = best + np.where(denom < 0, 0.5 * (before - after) / np.where(denom < 0, denom, -1.0), 0.0)
    grid = np.zeros((len(bands), nwin), np.uint8)
    grid[cand_r[periodic], cand_w[periodic]] = 1
    period_grid = np.zeros((len(bands), nwin))
    period_grid[cand_r[periodic], cand_w[periodic]] = period[periodic]
    count, labels = cv2.connectedComponents(grid, connectivity=8)
    strips = []
    for k in range(1, count):
        rows, wins = np.nonzero(labels == k)
        if len(np.unique(wins)) < 2:  # one window is 8 to 24 periods: too short to be sure of a ruler
            continue
        periods = period_grid[rows, wins]
        med = float(np.median(periods))
        keep = np.abs(periods - med) <= 0.08 * med
        rows, wins = rows[keep], wins[keep]
        if len(np.unique(wins)) < 2:
            continue
        xs, yb = idx[wins] + 2 + WINDOW / 2, ys[rows]
        x0, x1 = float(idx[wins].min() + 2), float(idx[wins].max() + 2 + WINDOW)
        slope, icpt = (np.polyfit(xs, yb, 1) if len(np.unique(xs)) > 1 else (0.0, float(yb.mean())))
        ends = np.array([[x0, icpt + slope * x0], [x1, icpt + slope * x1]]) * (2 ** level)
        if transposed:
            ends = ends[:, ::-1]
        pts = ends @ inv[:, :2].T + inv[:, 2]
        d = pts[1] - pts[0]
        strips.append(Strip(math.degrees(math.atan2(d[1], d[0])), level, med, (float(pts[0, 0]), float(pts[0, 1])),
                             (float(pts[1, 0]), float(pts[1, 1])), int(len(np.unique(wins)))))
    return strips


def _inside(ys: np.ndarray, xs: np.ndarray, level: int, transposed: bool, inv: np.ndarray,
            size: tuple[int, int]) -> np.ndarray:
    """For windows at band centres ``ys`` and left ends ``xs`` (level pixels): all four corners fall inside the
    working image."""
    f = 2.0 ** level
    ok = np.ones(len(ys), bool)
    for dy in (-BAND / 2, BAND / 2):
        for dx in (0.0, float(WINDOW)):
            y, x = (ys + dy) * f, (xs + dx) * f
            if transposed:
                x, y = y, x
            px = inv[0, 0] * x + inv[0, 1] * y + inv[0, 2]
            py = inv[1, 0] * x + inv[1, 1] * y + inv[1, 2]
            ok &= (px >= 0) & (px <= size[0] - 1) & (py >= 0) & (py <= size[1] - 1)
    return ok


def _across(strip: Strip, w: float, h: float) -> Strip:
    """The strip's line followed across the whole frame: the windows found may be a piece of the ruler."""
    (x0, y0), (x1, y1) = strip.start, strip.end
    span = math.hypot(x1 - x0, y1 - y0)
    d = ((x1 - x0) / span, (y1 - y0) / span)
    lo, hi = -1e9, 1e9
    for p0, di, size in ((x0, d[0], w), (y0, d[1], h)):
        if abs(di) > 1e-9:
            a, b = (0 - p0) / di, (size - 1 - p0) / di
            lo, hi = max(lo, min(a, b)), min(hi, max(a, b))
    return replace(strip, start=(x0 + lo * d[0], y0 + lo * d[1]), end=(x0 + hi * d[0], y0 + hi * d[1]))
