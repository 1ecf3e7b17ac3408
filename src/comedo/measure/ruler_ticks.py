"""The ticks along a candidate strip (``comedo.measure.ruler``): their period, their unit from the length pattern,
and the scale with its uncertainty. See that module for the method."""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from comedo.measure.scale import Scale

__all__ = ["measure_strip", "Strip", "RulerPattern", "RULER_PATTERNS"]

MIN_PATTERN_R2 = 0.65  # adjusted R^2 of the tick lengths on the best ruler pattern
MAX_SPREAD = 0.10  # rms distance of the ticks from their straight grid, in periods (a pen ruler's ~0.06)
MIN_LONG_RATIO, MAX_LONG_RATIO = 1.25, 6.0  # the longest ticks' mean length over the shortest ticks'
TRIM = 0.15  # share of ticks a fingertip or a lesion may hide (left out of the second fit)
STEP_RATIO = 1.08  # each rank's mean length over the rank below: every level of the pattern must show
FLOOR_PCT = 2.0  # uncertainty floor: the ruler's plane is not the lesion's


@dataclass(frozen=True)
class Strip:
    """A candidate ruler strip from the search, in working pixels."""

    angle_deg: float  # direction of the ruler's axis in the working image (x right, y down)
    level: int
    period: float  # at that level
    start: tuple[float, float]  # the strip's end points in working pixels
    end: tuple[float, float]
    windows: int


@dataclass(frozen=True)
class RulerPattern:
    """A ruler's tick-length pattern: ``unit_mm`` per tick, ``cycle`` ticks per repeat and each tick's rank
    (0 = shortest) by its index within the cycle."""

    name: str
    unit_mm: float
    ranks: tuple[int, ...]


def _ranks(cycle: int, divisors: tuple[int, ...]) -> tuple[int, ...]:
    """Rank of each index in a cycle: how many of ``divisors`` divide it (index 0 divides all)."""
    return tuple(sum(1 for d in divisors if i % d == 0) for i in range(cycle))


RULER_PATTERNS = (
    RulerPattern("mm", 1.0, _ranks(10, (5, 10))),
    RulerPattern("mm", 1.0, _ranks(10, (10,))),  # rulers whose 5 mm ticks are not longer
    RulerPattern("1/16 in", 25.4 / 16, _ranks(16, (2, 4, 8, 16))),
    RulerPattern("1/8 in", 25.4 / 8, _ranks(8, (2, 4, 8))),
)


def measure_strip(work: np.ndarray, strip: Strip, *, min_ticks: int) -> tuple[Scale | None, str]:
    """Ticks along ``strip``: their period by a straight-line fit, their unit by the length pattern."""
    p_work = strip.period * 2 ** strip.level
    step = max(1.0, p_work / 8.0)  # working px per strip px: about 8 px per period
    p = p_work / step
    (x0, y0), (x1, y1) = strip.start, strip.end  # across the whole frame
    span = math.hypot(x1 - x0, y1 - y0)
    eu = np.array([(x1 - x0) / span, (y1 - y0) / span])
    ev = np.array([-eu[1], eu[0]])
    n_u = int(span / step)
    half_v = int(10 * p)  # ticks up to 10 periods long
    origin = np.array([x0, y0]) - half_v * step * ev
    m = np.array([[eu[0] * step, ev[0] * step, origin[0]], [eu[1] * step, ev[1] * step, origin[1]]])
    s = cv2.warpAffine(work, m, (n_u, 2 * half_v + 1), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                       borderMode=cv2.BORDER_CONSTANT, borderValue=float("nan"))
    inside = ~np.isnan(s)
    s = np.where(inside, s, np.nanmean(s) if inside.any() else 0.0)
    u = np.arange(n_u)
    wave = np.exp(-2j * np.pi * u / p)
    detr = s - cv2.blur(s, (max(3, int(2 * p) | 1), 1))
    amp = np.abs(detr @ wave) / n_u
    core = int(np.argmax(amp))
    rows = _contiguous(np.flatnonzero(amp >= 0.5 * amp[core]), core)  # the rows every tick crosses
    prof = detr[rows].mean(axis=0)
    third = float(np.mean((prof - prof.mean()) ** 3))
    first_pol = -1.0 if third < 0 else 1.0  # ticks are the narrow extrema: dark ticks skew the profile negative
    reasons = []
    for pol in (first_pol, -first_pol):  # thin blurred ticks skew little: the other polarity is tried too
        found = _ruler_ticks(pol * prof, pol * detr, p, rows, inside, min_ticks)
        if isinstance(found, str):
            reasons.append(found)
            continue
        k, pos, period, rms, pattern, r2, ratio, slope = found
        axis = eu + slope * ev  # the ruler's edge, a little off the strip's first estimate
        angle = math.degrees(math.atan2(axis[1], axis[0]))
        se = rms / math.sqrt(max(1.0, float(np.sum((k - k.mean()) ** 2))))
        quad = np.polyfit(k - k.mean(), pos, 2)[0] if len(k) >= 6 else 0.0
        drift = abs(2 * quad * (k.max() - k.min())) / period  # relative change of the period along the ruler
        unc = 100 * math.sqrt((se / period) ** 2 + (drift / 2) ** 2 + (FLOOR_PCT / 100) ** 2)
        period_work = period * step
        mid = np.array([x0, y0]) + eu * step * float(pos.mean())
        evidence: dict[str, object] = {
            "period_px": round(period_work, 3),
            "ticks": int(len(k)),
            "unit": pattern.name,
            "angle_deg": round(angle % 180.0, 1),
            "center_xy": [round(float(mid[0]), 1), round(float(mid[1]), 1)],
            "length_px": round(float(period_work * (k.max() - k.min())), 1),
            "pattern_r2": round(r2, 3),
            "long_tick_ratio": round(ratio, 2),
            "tick_spread_pct": round(100 * rms / period, 2),
            "period_drift_pct": round(float(100 * drift), 2),
        }
        scale = Scale(pattern.unit_mm / period_work, "ruler", round(unc, 2), evidence)
        return scale, f"a {pattern.name} ruler: {len(k)} ticks {period_work:.2f} px apart"
    return None, reasons[0]


def _ruler_ticks(sig: np.ndarray, strip: np.ndarray, p: float, rows: np.ndarray, inside: np.ndarray,
                 min_ticks: int) -> tuple | str:
    """The ticks of one polarity (maxima of ``sig``): grid index, position, period, spread, and the ruler pattern
    of their lengths in ``strip``; or why they are not a ruler."""
    p, first = _fine_grid(sig, p)
    for _ in range(2):  # the fitted grid finds the ticks again, the far ones included
        ticks = _tick_positions(sig, p, first)
        if len(ticks) < min_ticks:
            return f"regular ticks over {len(ticks)} periods, fewer than {min_ticks}"
        k, pos = ticks[:, 0], ticks[:, 1]
        coef, resid, kept = _line_fit(k, pos, p)
        p, first = float(coef[0]), float(coef[1])
    k, pos = k[kept], pos[kept]
    if len(k) < min_ticks:
        return f"{len(k)} ticks on a straight grid, fewer than {min_ticks}"
    period = float(coef[0])
    rms = float(np.sqrt(np.mean(resid[kept] ** 2)))
    if rms > MAX_SPREAD * period:
        return f"ticks too irregular for a ruler (spread {100 * rms / period:.0f} % of the period)"
    lengths, measurable, slope = _tick_lengths(strip, pos, period, rows, inside)
    pattern, r2, ratio = _best_pattern(k[measurable].astype(int), lengths[measurable].astype(float))
    if pattern is None:
        return f"{len(k)} regular ticks without the longer 5 and 10 mm (or inch) marks of a ruler"
    return k, pos, period, rms, pattern, r2, ratio, slope


def _contiguous(rows: np.ndarray, core: int) -> np.ndarray:
    """The run of consecutive values in sorted ``rows`` that holds ``core``."""
    run = np.cumsum(np.diff(rows, prepend=rows[0] - 1) != 1)  # run number of each row
    return rows[run == run[int(np.searchsorted(rows, core))]]


def _fine_grid(sig: np.ndarray, p: float) -> tuple[float, float]:
    """The period near ``p`` (within 6 %) whose Fourier coefficient over the whole profile is largest, and the
    position of one tick on that grid: the windows' period drifts off the ticks over a long ruler."""
    u = np.arange(len(sig))
    for spread in (0.06, 0.005):  # coarse then fine: 0.5 % steps, then 0.05 %
        periods = p * (1 + np.linspace(-spread, spread, 25))
        coef = np.exp(-2j * np.pi * u[None, :] / periods[:, None]) @ sig
        best = int(np.argmax(np.abs(coef)))
        p = float(periods[best])
    return p, float(np.angle(coef[best]) / (2 * np.pi) * p % p)


def _tick_positions(sig: np.ndarray, p: float, first: float) -> np.ndarray:
    """(n, 2) [grid index, sub-pixel position] of the ticks: maxima of ``sig`` near the grid ``first + p * j``,
    the longest run standing out from the background with gaps of at most 2 periods."""
    n = len(sig)
    first = first % p
    grid = np.round(first + p * np.arange(int((n - 1 - first) / p) + 1)).astype(int)
    reach = max(1, int(round(0.35 * p)))
    grid = grid[(grid - reach >= 1) & (grid + reach <= n - 2)]
    if len(grid) == 0:
        return np.zeros((0, 2))
    near = grid[:, None] + np.arange(-reach, reach + 1)[None, :]
    i = near[np.arange(len(grid)), np.argmax(sig[near], axis=1)]
    a, b, c = sig[i - 1], sig[i], sig[i + 1]
    d = a - 2 * b + c
    off = np.where(d < 0, 0.5 * (a - c) / np.where(d < 0, d, -1.0), 0.0)
    half = max(1, int(p / 2))
    around = np.clip(i[:, None] + np.arange(-half, half + 1)[None, :], 0, n - 1)
    height = b - np.median(sig[around], axis=1)
    index = np.round((grid - grid[0]) / p).astype(int)
    strong = height >= 0.35 * np.median(height[height >= np.median(height)])
    best, start, last = (0, 0), None, -10
    for j in np.flatnonzero(strong):
        if start is None or index[j] - last > 3:
            start = j
        last = index[j]
        if strong[start:j + 1].sum() > strong[best[0]:best[1]].sum():
            best = (start, j + 1)
    keep = np.zeros(len(grid), bool)
    keep[best[0]:best[1]] = strong[best[0]:best[1]]
    return np.stack([index[keep], (i + off)[keep]], axis=1).astype(float)


def _line_fit(k: np.ndarray, pos: np.ndarray, p: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``pos = period * k + offset`` by least squares, ticks off the line by over a fifth of a period dropped
    (twice)."""
    kept = np.ones(len(k), bool)
    coef = np.array([p, 0.0])
    for _ in range(3):
        if kept.sum() < 3:
            break
        coef = np.polyfit(k[kept], pos[kept], 1)
        resid = pos - np.polyval(coef, k)
        kept = np.abs(resid) <= max(0.2 * coef[0], 3 * float(np.std(resid[kept])) if kept.sum() > 3 else 0.0)
        kept &= np.abs(resid) <= 0.3 * coef[0]
    resid = pos - np.polyval(coef, k)
    return coef, resid, kept


def _tick_lengths(strip: np.ndarray, pos: np.ndarray, period: float, rows: np.ndarray,
                  inside: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """Each tick's length in strip rows, whether both its ends lie inside the photo (a tick cut by the frame
    has no length to compare), and the slope of the ruler's edge across the strip (rows per column).

    A tick is the run of rows, through its strongest row in the core band, where its contrast against the gaps
    either side stays above 40 % of the ticks' typical contrast. The ticks start from the ruler's edge: the ends
    that lie on a straight line are their bases, and the length is measured from that line, so a strip not quite
    parallel to the ruler does not bias it."""
    n_v, n_u = strip.shape

    def column(x: np.ndarray) -> np.ndarray:
        x = np.clip(x, 0, n_u - 1.001)
        i = np.floor(x).astype(int)
        f = (x - i)[None, :]
        return strip[:, i] * (1 - f) + strip[:, i + 1] * f

    contrast = column(pos) - 0.5 * (column(pos - period / 2) + column(pos + period / 2))  # (n_v, ticks)
    lo, hi = int(rows.min()), int(rows.max())
    ticks = np.arange(len(pos))
    start = lo + np.argmax(contrast[lo:hi + 1], axis=0)
    ref = float(np.median(contrast[start, ticks]))
    on = contrast >= 0.4 * max(ref, 1e-6)
    run = np.cumsum(~on, axis=0)
    member = on & (run == run[start, ticks][None, :])
    top = np.argmax(member, axis=0)
    bottom = n_v - 1 - np.argmax(member[::-1], axis=0)
    spreads = []
    for end in (top, bottom):
        line = np.polyfit(pos, end, 1) if len(pos) >= 3 else np.array([0.0, float(np.median(end))])
        spreads.append((float(np.median(np.abs(end - np.polyval(line, pos)))), np.polyval(line, pos)))
    base = 0 if spreads[0][0] <= spreads[1][0] else 1
    lengths = bottom - spreads[0][1] + 1 if base == 0 else spreads[1][1] - top + 1
    slope = float(np.polyfit(pos, (top, bottom)[base], 1)[0]) if len(pos) >= 3 else 0.0
    col = np.clip(np.round(pos).astype(int), 0, n_u - 1)
    measurable = (top >= 1) & (bottom <= n_v - 2)
    measurable &= inside[np.clip(top - 1, 0, n_v - 1), col] & inside[np.clip(bottom + 1, 0, n_v - 1), col]
    return lengths, measurable, slope


def _best_pattern(k: np.ndarray, lengths: np.ndarray) -> tuple[RulerPattern | None, float, float]:
    """The ruler pattern and phase whose ranks explain the tick lengths best (adjusted R^2), if good enough.

    A fingertip or a lesion over the ruler shortens the ticks it covers: each pattern is fitted twice, the second
    time without the ``TRIM`` share of ticks farthest from the first fit (least trimmed squares in spirit;
    Rousseeuw, J Am Stat Assoc 79:871, 1984)."""
    n = len(k)
    if n == 0 or float(np.ptp(lengths)) <= 0:
        return None, 0.0, 1.0
    best: tuple[RulerPattern | None, float, float] = (None, -1.0, 1.0)
    for pattern in RULER_PATTERNS:
        ranks = np.array(pattern.ranks)
        cycle = len(ranks)
        if n < cycle + 2:
            continue
        top = int(ranks.max()) + 1
        for phase in range(cycle):
            r = ranks[(k + phase) % cycle]
            if _class_fit(r, lengths, np.ones(n, bool), top) is None:
                continue
            medians = np.array([np.median(lengths[r == q]) if np.any(r == q) else 0.0 for q in range(top)])
            resid = np.abs(lengths - medians[r])
            keep = resid <= np.quantile(resid, 1 - TRIM)
            class_means = _class_fit(r, lengths, keep, top)
            if class_means is None:
                continue
            rk, lk = r[keep], lengths[keep]
            present = np.bincount(rk, minlength=top) > 0
            means = class_means[present]
            total = float(np.sum((lk - lk.mean()) ** 2))
            ratio = means[-1] / max(means[0], 1e-6)
            steps_up = np.all(means[1:] >= STEP_RATIO * means[:-1])
            if total <= 0 or not steps_up or not MIN_LONG_RATIO <= ratio <= MAX_LONG_RATIO:
                continue
            m, g = len(lk), int(present.sum())
            within = float(np.sum((lk - class_means[rk]) ** 2))
            adj = 1 - (within / total) * (m - 1) / max(1, m - g)
            if adj > best[1]:
                best = (pattern, adj, float(ratio))
    if best[0] is None or best[1] < MIN_PATTERN_R2:
        return None, max(best[1], 0.0), best[2]
    return best


def _class_fit(ranks: np.ndarray, lengths: np.ndarray, keep: np.ndarray, top: int) -> np.ndarray | None:
    """Mean length per rank over the kept ticks; None unless two ranks and two raised ticks are seen."""
    counts = np.bincount(ranks[keep], minlength=top)
    if (counts > 0).sum() < 2 or counts[1:].sum() < 2:
        return None
    return np.bincount(ranks[keep], weights=lengths[keep], minlength=top) / np.maximum(counts, 1)
