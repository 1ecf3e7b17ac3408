"""Small dark dots on skin: enlarged pores, open-comedo openings, marks.

Method: a morphological black-hat (closing minus image) of CIE L* with a disc
larger than the largest dot picks out compact regions darker than their
surroundings (Soille, *Morphological Image Analysis*, 2nd ed., 2003, ch. 4.4).
Components with at least ``min_contrast`` L* units of darkening, a plausible
size and a round shape, lying wholly on skin, are kept. Sizes scale with the
photo: the largest dot is 1.5 % of the shorter side (at least 4 px).
"""

from __future__ import annotations

import cv2
import numpy as np

from comedo.lesions import Lesions
from comedo.types import DarkSpots

__all__ = ["find_dark_spots", "spots_inside", "spots_outside", "separate_spots"]


def find_dark_spots(
    lightness: np.ndarray,
    skin: np.ndarray,
    *,
    min_contrast: float = 6.0,
    min_radius_px: float = 1.0,
    max_radius_px: float | None = None,
    min_roundness: float = 0.35,
) -> DarkSpots:
    """Dark dots in ``lightness`` (H, W) float32 L* 0..100 within ``skin`` (H, W) bool.

    Returns centres (x, y), radii (equal-area) and contrast (peak black-hat in L*).
    """
    h, w = lightness.shape
    if max_radius_px is None:
        max_radius_px = max(4.0, 0.015 * min(h, w))
    k = int(2 * np.ceil(max_radius_px) + 3)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k))
    # uint8 morphology is several times faster than float; 0.25 L* steps are finer than any threshold used.
    l8 = np.clip(lightness * 2.5, 0, 255).astype(np.uint8)
    blackhat = cv2.morphologyEx(l8, cv2.MORPH_BLACKHAT, kernel).astype(np.float32) / 2.5
    inner = cv2.erode(skin.astype(np.uint8), kernel) > 0
    candidate = ((blackhat >= min_contrast) & inner).astype(np.uint8)
    n, labels, stats, centroids = cv2.connectedComponentsWithStats(candidate, connectivity=8)
    if n <= 1:
        return DarkSpots.empty()
    area = stats[1:, cv2.CC_STAT_AREA].astype(np.float32)
    bw = stats[1:, cv2.CC_STAT_WIDTH].astype(np.float32)
    bh = stats[1:, cv2.CC_STAT_HEIGHT].astype(np.float32)
    radius = np.sqrt(area / np.pi)
    # Roundness: filled fraction of the bounding circle of the box.
    roundness = area / (np.pi * (np.maximum(bw, bh) / 2) ** 2)
    ok = (radius >= min_radius_px) & (radius <= max_radius_px) & (roundness >= min_roundness)
    idx = np.nonzero(ok)[0]
    if idx.size == 0:
        return DarkSpots.empty()
    peak = np.zeros(n, np.float32)
    on = candidate > 0
    np.maximum.at(peak, labels[on], blackhat[on])
    return DarkSpots(
        centers=centroids[1:][idx].astype(np.float32),
        radii=radius[idx].astype(np.float32),
        contrast=peak[1:][idx].astype(np.float32),
    )


def spots_inside(spots: DarkSpots, allowed: np.ndarray) -> DarkSpots:
    """The ``spots`` whose centre and at least three quarters of their disc lie in ``allowed`` (H, W) bool, on the
    spots' grid: with a face mapped, its skin outside the lips, eyes and brows (``FaceZones.skin_of_face``), so the
    count is of the face's pores and openings, not stubble, an ear, clothes or lashes."""
    if len(spots) == 0:
        return spots
    h, w = allowed.shape
    xi = np.rint(spots.centers[:, 0]).astype(np.int64)
    yi = np.rint(spots.centers[:, 1]).astype(np.int64)
    inside = (xi >= 0) & (xi < w) & (yi >= 0) & (yi < h)
    inside[inside] = allowed[yi[inside], xi[inside]]
    rr = np.maximum(1, np.ceil(spots.radii).astype(np.int64))
    y0, y1 = np.clip(yi - rr, 0, h), np.clip(yi + rr + 1, 0, h)
    x0, x1 = np.clip(xi - rr, 0, w), np.clip(xi + rr + 1, 0, w)
    # A spot whose whole box is allowed is kept without drawing its disc: only spots on an edge need the disc.
    integral = cv2.integral(allowed.astype(np.uint8))
    box_sum = integral[y1, x1] - integral[y0, x1] - integral[y1, x0] + integral[y0, x0]
    keep = inside & (box_sum == (y1 - y0) * (x1 - x0))
    for i in np.nonzero(inside & ~keep)[0]:
        x, y, r = float(spots.centers[i, 0]), float(spots.centers[i, 1]), float(spots.radii[i])
        yy, xx = np.mgrid[y0[i]:y1[i], x0[i]:x1[i]]
        disc = (xx - x) ** 2 + (yy - y) ** 2 <= max(r, 1.0) ** 2
        keep[i] = allowed[y0[i]:y1[i], x0[i]:x1[i]][disc].mean() >= 0.75
    return spots[keep]


def _in_boxes(spots: DarkSpots, lesions: Lesions) -> np.ndarray:
    """(n_spots, n_lesions) bool: the spot's centre lies in the lesion's box."""
    x, y = spots.centers[:, 0:1], spots.centers[:, 1:2]
    b = lesions.xyxy
    return (x >= b[None, :, 0]) & (x <= b[None, :, 2]) & (y >= b[None, :, 1]) & (y <= b[None, :, 3])


def spots_outside(spots: DarkSpots, lesions: Lesions) -> DarkSpots:
    """The dark spots whose centres lie outside every lesion box."""
    if len(spots) == 0 or len(lesions) == 0:
        return spots
    return spots[~_in_boxes(spots, lesions).any(axis=1)]


def separate_spots(spots: DarkSpots, lesions: Lesions) -> tuple[DarkSpots, np.ndarray]:
    """Dark spots inside a lesion box are that lesion's dark core (an open
    comedo's opening), not separate spots. Returns the remaining spots and, per
    lesion, whether it has a dark core."""
    has_core = np.zeros(len(lesions), bool)
    if len(spots) == 0 or len(lesions) == 0:
        return spots, has_core
    inside = _in_boxes(spots, lesions)
    has_core = inside.any(axis=0)
    return spots[~inside.any(axis=1)], has_core
