"""Redness (erythema) relative to the person's own unaffected skin.

Measure: CIELAB a* per pixel. a* is the standard colorimetric erythema
measure (Weatherall & Coombs, J Invest Dermatol 99:468-473, 1992; EEMCO
guideline, Fullerton et al., Contact Dermatitis 35:1-10, 1996) and rises
linearly with visually graded erythema (Takiwaki et al., Skin Res Technol
4:3-8, 1998).

Reference: the person's own skin. The baseline a* is the median a* of skin
pixels away from detected lesions, after one round of dropping outliers above
median + 3 robust SD, so constitutive colour (a darker or ruddier complexion)
is subtracted out and only *excess* redness (Delta a*) is graded.

Irritation grade from Delta a*: none < 2.5 <= slight < 5 <= moderate < 8 <= marked.
A Delta a* of about 2.5 is the smallest erythema reliably seen by eye in
chromameter studies of irritant reactions (the EEMCO review above); 5 and 8
split visible erythema into the thirds used for clinical grading. These are
our documented choices, not a published scale. The whole-skin grade uses the
90th percentile of Delta a* over skin, so a few small red spots do not make
the whole face "irritated"; each lesion is graded by the mean Delta a* in the
disc of its radius (detector boxes include the red halo around a lesion).

The skin tone is summarised by the Individual Typology Angle,
ITA = atan((L* - 50) / b*) in degrees (Chardon et al., Int J Cosmet Sci
13:191-208, 1991), reported so users can see the baseline adapted.

On wider views the skin mask takes in facial parts that are red by anatomy:
the lips, the nostril rims, the ear and eyelid folds. Left in, they made an
ordinary face read "marked". What sets them apart from inflamed acne on
ACNE04 faces (docs/methods.md) is that they are also much darker than the
person's skin and hold no detected lesion, while dark inflamed areas on severe
faces are full of lesions; so lesion-free regions that are both red and dark
are left out of the whole-skin figures and reported as ``anatomy_fraction``.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from comedo.measure.colour import ColourPlanes
from comedo.types import IrritationGrade, Redness

__all__ = ["measure_redness", "smoothed_a_star", "halo_delta_a", "lesion_free_dark_red", "irritation_grade",
           "IRRITATION_THRESHOLDS"]

IRRITATION_THRESHOLDS: tuple[tuple[float, IrritationGrade], ...] = (
    (8.0, IrritationGrade.MARKED),
    (5.0, IrritationGrade.MODERATE),
    (2.5, IrritationGrade.SLIGHT),
)
INFLAMED_DELTA_A = 5.0
# A region left out as anatomy: Delta a* at least this, L* at least this far below the baseline,
# at least this share of the skin, and no detected lesion's disc touching it.
ANATOMY_DELTA_A = 5.0
ANATOMY_DARKER_L = 8.0
ANATOMY_MIN_SKIN_FRACTION = 0.004


def irritation_grade(delta_a: float) -> IrritationGrade:
    """Grade an excess-redness value (Delta a*) with ``IRRITATION_THRESHOLDS``."""
    if not math.isfinite(delta_a):
        return IrritationGrade.NONE
    for threshold, grade in IRRITATION_THRESHOLDS:
        if delta_a >= threshold:
            return grade
    return IrritationGrade.NONE


def measure_redness(
    planes: ColourPlanes,
    skin: np.ndarray,
    *,
    lesion_centers: np.ndarray | None = None,
    lesion_radii: np.ndarray | None = None,
    leave_out_anatomy: bool = False,
    leave_out: np.ndarray | None = None,
    smoothed_a: np.ndarray | None = None,
) -> tuple[Redness, np.ndarray]:
    """Redness figures for skin pixels ``skin`` (H, W bool), and each lesion's mean Delta a* (n,) float32
    (NaN where it has no pixels; grade it with ``irritation_grade``).

    ``lesion_centers`` (n, 2) (x, y) and ``lesion_radii`` (n,) are in the same
    pixel grid as ``planes``; their neighbourhoods are left out of the baseline
    and each gets its own Delta a*. ``leave_out_anatomy`` (for wider
    views) leaves lesion-free regions that are red and dark (lips, nostrils,
    folds) out of the whole-skin figures and of ``delta_map``; ``leave_out`` (H, W bool) adds regions known from
    the face's geometry (lips, eyes, brows, nostrils drawn from the mesh). ``smoothed_a``: ``smoothed_a_star(planes)``
    where the caller already has it (the halos read the same plane).
    """
    a = smoothed_a_star(planes) if smoothed_a is None else smoothed_a
    centers = np.zeros((0, 2), np.float32) if lesion_centers is None else np.asarray(lesion_centers, np.float32)
    radii = np.zeros(0, np.float32) if lesion_radii is None else np.asarray(lesion_radii, np.float32)
    h, w = a.shape
    near_lesion = np.zeros((h, w), np.uint8)
    for (x, y), r in zip(centers, radii, strict=True):
        cv2.circle(near_lesion, (int(round(x)), int(round(y))), int(round(max(r, 1) * 2.0)), 1, -1)
    reference = skin & (near_lesion == 0)
    if reference.sum() < 50:
        reference = skin
    if reference.sum() < 50:
        nan_map = np.full((h, w), np.nan, np.float32)
        return (Redness(float("nan"), float("nan"), float("nan"), float("nan"), float("nan"), 0.0,
                        IrritationGrade.NONE, nan_map), np.full(len(radii), np.nan, np.float32))
    # Statistics on every other row and column: the same estimate at a quarter of the cost.
    sub = reference[::2, ::2] if reference[::2, ::2].sum() >= 50 else reference
    step = 2 if sub is not reference else 1
    values = a[::step, ::step][sub]
    median = float(np.median(values))
    spread = 1.4826 * float(np.median(np.abs(values - median)))
    baseline = float(np.median(values[values <= median + 3 * max(spread, 0.5)]))
    baseline_l = float(np.median(planes.lightness[::step, ::step][sub]))
    baseline_b = float(np.median(planes.b_star[::step, ::step][sub]))
    ita = math.degrees(math.atan2(baseline_l - 50.0, baseline_b)) if baseline_b != 0 else float("nan")
    anatomy = np.zeros((h, w), bool)
    if leave_out_anatomy:  # on every other row and column, as the statistics: regions of 0.4 % of the skin
        light = cv2.GaussianBlur(np.ascontiguousarray(planes.lightness[::step, ::step]), (0, 0),
                                 max(1.0, min(h, w) / 320 / step))
        small = lesion_free_dark_red(a[::step, ::step] - baseline, baseline_l - light, skin[::step, ::step],
                                     centers / step, radii / step)
        anatomy = skin & cv2.resize(small.astype(np.uint8), (w, h), interpolation=cv2.INTER_NEAREST).astype(bool)
    if leave_out is not None:
        anatomy |= skin & leave_out
    measured = skin & ~anatomy
    if measured.sum() < 50:
        measured, anatomy = skin, np.zeros((h, w), bool)
    delta = np.where(measured, a - baseline, np.nan).astype(np.float32)
    skin_delta = delta[::step, ::step][measured[::step, ::step]]
    if skin_delta.size == 0:
        skin_delta = delta[measured]
    p90 = float(np.percentile(skin_delta, 90)) if skin_delta.size else float("nan")
    inflamed = float((skin_delta >= INFLAMED_DELTA_A).mean()) if skin_delta.size else 0.0
    per_lesion = np.full(len(radii), np.nan, np.float32)
    for i, ((x, y), r) in enumerate(zip(centers, radii, strict=True)):
        rad = int(round(max(r, 1)))
        cx, cy = int(round(x)), int(round(y))
        x0, y0, x1, y1 = max(cx - rad, 0), max(cy - rad, 0), min(cx + rad + 1, w), min(cy + rad + 1, h)
        if x1 <= x0 or y1 <= y0:
            continue
        disc = np.zeros((y1 - y0, x1 - x0), np.uint8)  # the lesion's disc, in a window around it
        cv2.circle(disc, (cx - x0, cy - y0), rad, 1, -1)
        region = (disc > 0) & skin[y0:y1, x0:x1]
        if not region.any():
            region = disc > 0
        window = a[y0:y1, x0:x1]
        value = float(np.mean(window[region]) - baseline) if region.any() else float("nan")
        per_lesion[i] = value
    return Redness(
        baseline_a=baseline,
        baseline_l=baseline_l,
        ita_deg=ita,
        skin_a_mean=float(np.mean(a[measured])),
        delta_p90=p90,
        inflamed_fraction=inflamed,
        grade=irritation_grade(p90),
        delta_map=delta,
        anatomy_fraction=float(anatomy.sum() / max(int(skin.sum()), 1)),
    ), per_lesion


def smoothed_a_star(planes: ColourPlanes) -> np.ndarray:
    """a* smoothed over about one JPEG chroma block, so 4:2:0 block artefacts do not read as redness: the plane
    every redness figure is read from."""
    return cv2.GaussianBlur(planes.a_star, (0, 0), max(1.0, min(planes.a_star.shape) / 320))


def halo_delta_a(a: np.ndarray, skin: np.ndarray, centers: np.ndarray, radii: np.ndarray,
                 baseline_a: float) -> np.ndarray:
    """Each lesion's halo redness (n,) float32: mean a* over the skin in the ring between one and two radii around
    it, minus the person's baseline (NaN where that ring holds no skin). A red ring around a comedone (perilesional
    erythema) is what says it is inflamed; the disc's own a* (``measure_redness``) also reads a pink whitehead's
    bump, which is not inflammation around it. ``a``: ``smoothed_a_star``, the plane ``measure_redness`` reads."""
    h, w = a.shape
    out = np.full(len(radii), np.nan, np.float32)
    if not math.isfinite(baseline_a):
        return out
    for i, ((x, y), r) in enumerate(zip(np.asarray(centers, np.float32), np.asarray(radii, np.float32),
                                        strict=True)):
        inner = max(float(r), 1.0)
        outer = int(round(2 * inner))
        cx, cy = int(round(float(x))), int(round(float(y)))
        x0, y0, x1, y1 = max(cx - outer, 0), max(cy - outer, 0), min(cx + outer + 1, w), min(cy + outer + 1, h)
        if x1 <= x0 or y1 <= y0:
            continue
        yy, xx = np.mgrid[y0:y1, x0:x1]
        dist = np.hypot(xx - float(x), yy - float(y))
        ring = (dist > inner) & (dist <= 2 * inner) & skin[y0:y1, x0:x1]
        if ring.any():
            out[i] = float(np.mean(a[y0:y1, x0:x1][ring]) - baseline_a)
    return out


def lesion_free_dark_red(delta_a: np.ndarray, darker_l: np.ndarray, skin: np.ndarray,
                         centers: np.ndarray, radii: np.ndarray) -> np.ndarray:
    """Skin regions red (``delta_a``) and darker (``darker_l``, L* below the
    baseline) than the person's skin, of some size, that no lesion disc touches:
    on a face, the lips, nostril rims and ear or eyelid folds. A region that
    joins a detected lesion is kept whole, so dense inflamed acne where the
    detector finds lesions stays counted, at the price of keeping anatomy that
    touches a lesion; inflamed skin with no detected lesion in it can be left out."""
    candidate = ((delta_a >= ANATOMY_DELTA_A) & (darker_l >= ANATOMY_DARKER_L) & skin).astype(np.uint8)
    candidate = cv2.morphologyEx(candidate, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    _, labels, stats, _ = cv2.connectedComponentsWithStats(candidate, connectivity=8)
    min_area = ANATOMY_MIN_SKIN_FRACTION * float(skin.sum())
    big = np.flatnonzero(stats[:, cv2.CC_STAT_AREA] >= min_area)
    big = big[big > 0]
    if big.size == 0:
        return np.zeros(skin.shape, bool)
    discs = np.zeros(skin.shape, np.uint8)
    for (x, y), r in zip(centers, radii, strict=True):
        cv2.circle(discs, (int(round(x)), int(round(y))), int(round(max(r, 1))), 1, -1)
    touched = np.unique(labels[discs > 0])
    keep = np.setdiff1d(big, touched)
    return np.isin(labels, keep) if keep.size else np.zeros(skin.shape, bool)
