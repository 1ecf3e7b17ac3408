"""Each lesion's size from its own extent, not from its ring.

A detector's ring (or a plug's ring of 2.5 plug radii) is drawn around a lesion with room to spare, so its diameter
over-states the lesion's. ``measure_lesion_sizes`` segments the lesion itself in a small window around each ring:

1. Contrast. The local skin is the median L* (and a*) of the annulus between 1.5 and 2 ring radii. A **dark plug**
   (a blackhead's opening) is the 10th percentile of L* inside half the ring radius, at least ``DARK_MIN_L`` below
   the local skin; a **red bump** (papule, pustule, nodule) is the 90th percentile of a* inside the ring, at least
   ``RED_MIN_A`` above the person's own baseline a* (``comedo.measure.redness``) or the local skin's a*, whichever is
   higher (so a lesion on a generally flushed cheek is measured against that cheek). The stronger of the two, in
   units of its own minimum, decides which is segmented.
2. Threshold at half the contrast (half way between the local skin and the lesion's extreme: the full width at half
   maximum of a blurred disc is its true diameter), on the planes lightly blurred (sigma 0.7 window px) against JPEG
   noise.
3. Region grown from the centre: the pixels over threshold, opened by a 3 px cross (strips a pixel wide, a crease or
   the frame's edge, are cut off), 4-connected to the disc of half the ring radius, inside the disc of 1.5 ring
   radii; holes filled (a pustule's pale head inside its red rim belongs to it).
4. Equivalent diameter ``2 sqrt(area / pi)`` (scikit-image ``regionprops``' ``equivalent_diameter_area``).

It fails, and the ring's diameter is kept (``segmented`` False), where neither contrast reaches its minimum, the
region touches the 1.5x bound along more than a quarter of that circle (it leaked into skin of the same colour: the
lesion is not set off from its surroundings), or it holds fewer than ``MIN_AREA_PX`` pixels. Measured on the analysis
grid; the caller scales to the photo. Every ring is resampled to one small window (its radius 7 px), so the
statistics run for all lesions at once and the regions are found in one mosaic: about 2 ms for 30 lesions at 640 px
(docs/methods.md, "Lesion size").
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from comedo.lesions import Lesions
from comedo.measure.colour import ColourPlanes

__all__ = ["measure_lesion_sizes", "lesion_size_columns", "lesion_outlines", "DARK_MIN_L", "RED_MIN_A", "SIZE_SOURCES"]

SIZE_SOURCES = ("segmented", "ring")
DARK_MIN_L = 8.0  # L* units darker than the local skin: a visible dark plug (the dark-spot stage uses 15 to name one)
RED_MIN_A = 3.0  # a* units over the skin: just over the 2.5 of the smallest erythema seen by eye (redness.py)
BOUND = 1.5  # the region may not reach beyond 1.5 ring radii
MAX_BOUNDARY_SHARE = 0.25  # of the bounding circle's pixels the region may touch before it counts as leaked
MIN_AREA_PX = 3
COARSE_SIDE = 320  # comedo.measure.skin's working copy


def measure_lesion_sizes(
    planes: ColourPlanes,
    centers: np.ndarray,
    radii: np.ndarray,
    *,
    baseline_a: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Each lesion's equivalent diameter (n,) float32, in pixels of ``planes``' grid, and whether it came from the
    segmentation (n,) bool (False: the ring's diameter, ``2 * radii``, kept).

    ``centers`` (n, 2) (x, y) and ``radii`` (n,) are the rings on that grid; ``baseline_a`` is the person's own skin
    a* (``Redness.baseline_a``; NaN uses the local skin alone).
    """
    centers = np.asarray(centers, np.float32).reshape(-1, 2)
    radii = np.asarray(radii, np.float32).reshape(-1)
    if len(centers) != len(radii):
        raise ValueError(f"centers and radii must have the same length, got {len(centers)} and {len(radii)}")
    diameters = (2 * radii).astype(np.float32)
    segmented = np.zeros(len(radii), bool)
    for i, (found, factor) in enumerate(_outlines(planes, centers, radii, baseline_a)):
        if found is not None:
            diameters[i] = 2.0 * math.sqrt(found[1] / math.pi) * factor  # the equivalent diameter, on the grid
            segmented[i] = True
    return diameters, segmented


def lesion_size_columns(planes: ColourPlanes, lesions: Lesions, baseline_a: float,
                        to_photo: float) -> dict[str, np.ndarray]:
    """The ``Lesions`` columns ``diameter_px`` (in pixels of the photo, ``to_photo`` of them a grid pixel; NaN where
    the segmentation failed, so the ring's own size, clipped to the frame, stands in) and ``size_source`` of
    ``lesions`` ringed on ``planes``' grid."""
    sizes, cut = measure_lesion_sizes(planes, lesions.centers, lesions.radii, baseline_a=baseline_a)
    return {"diameter_px": np.where(cut, sizes * np.float32(to_photo), np.nan).astype(np.float32),
            "size_source": np.where(cut, "segmented", "ring").astype(object)}


def lesion_outlines(planes: ColourPlanes, centers: np.ndarray, radii: np.ndarray, *,
                    baseline_a: float) -> list[np.ndarray | None]:
    """Each lesion's segmented outline, a (k, 2) float32 polygon of (x, y) on ``planes``' grid (None where the
    segmentation failed): what ``measure_lesion_sizes`` measures, for drawing it (the by-eye check,
    ``comedo_train.lesion_size_sheets``)."""
    centers = np.asarray(centers, np.float32).reshape(-1, 2)
    radii = np.asarray(radii, np.float32).reshape(-1)
    out: list[np.ndarray | None] = []
    for (x, y), (found, factor) in zip(centers, _outlines(planes, centers, radii, baseline_a), strict=True):
        out.append(None if found is None else
                   ((found[0].reshape(-1, 2).astype(np.float32) - _C) * factor + (x, y)).astype(np.float32))
    return out


# Every lesion is resampled to one window of _SIZE px, its ring _R px across it (so the masks are computed once and
# the statistics for all lesions at once); larger rings are read from an area-averaged copy of the planes.
_R = 7.0
_C = 15
_SIZE = 2 * _C + 1
_yy, _xx = np.mgrid[:_SIZE, :_SIZE]
_D2 = ((_xx - _C) ** 2 + (_yy - _C) ** 2).astype(np.float32)
_ANNULUS = (_D2 >= (BOUND * _R) ** 2) & (_D2 <= (2 * _R) ** 2)
_INNER, _DISC, _BOUND = _D2 <= (_R / 2) ** 2, _D2 <= _R**2, _D2 <= (BOUND * _R) ** 2
_RIM = _BOUND & (_D2 > (BOUND * _R - 1.0) ** 2)
_CROSS = cv2.getStructuringElement(cv2.MORPH_CROSS, (3, 3))


def _windows(planes: ColourPlanes, centers: np.ndarray, radii: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(n, _SIZE, _SIZE, 2) float32 L* and a* windows, each lesion's ring _R px in radius at the centre, and the
    grid's pixels per window pixel (n,)."""
    n = len(radii)
    out = np.empty((n, _SIZE, _SIZE, 2), np.float32)
    factors = np.maximum(radii, 0.5).astype(np.float64) / _R
    h, w = planes.lightness.shape
    # The 320 px copy the skin and scene stages already made (ColourPlanes.shrunk caches it): big rings cost nothing.
    coarse = planes.shrunk(COARSE_SIDE) if factors.max(initial=0.0) > 2.5 else planes
    coarse_k = coarse.lightness.shape[1] / w
    for i, ((x, y), f) in enumerate(zip(centers.astype(np.float64), factors, strict=True)):
        sources, ox, oy, k = (planes.lightness, planes.a_star), 0.0, 0.0, 1.0
        if 2.5 < f and 1.0 <= f * coarse_k <= 3.0:  # a big ring: read from the shared area-averaged copy
            sources, k = (coarse.lightness, coarse.a_star), coarse_k
        elif f > 2.5:  # a bigger one: its surroundings area-averaged first (no aliasing), to 1.5 window px a pixel
            half = int(math.ceil(2.2 * _R * f)) + 2
            x0, y0 = max(int(x) - half, 0), max(int(y) - half, 0)
            x1, y1 = min(int(x) + half + 1, w), min(int(y) + half + 1, h)
            k = 1.5 / f
            size = (max(2, round((x1 - x0) * k)), max(2, round((y1 - y0) * k)))
            sources = tuple(cv2.resize(p[y0:y1, x0:x1], size, interpolation=cv2.INTER_AREA)
                            for p in sources)  # type: ignore[assignment]
            ox, oy, k = x0, y0, size[0] / (x1 - x0)
        step = f * k  # source pixels per window pixel; pixel centres mapped with the half-pixel convention
        m = np.array([[step, 0, (x - ox + 0.5) * k - 0.5 - _C * step], [0, step, (y - oy + 0.5) * k - 0.5 - _C * step]])
        for c, plane in enumerate(sources):
            out[i, ..., c] = cv2.warpAffine(plane, m, (_SIZE, _SIZE), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                                            borderMode=cv2.BORDER_REPLICATE)
    return out, factors


def _outlines(planes: ColourPlanes, centers: np.ndarray, radii: np.ndarray,
              baseline_a: float) -> list[tuple[tuple[np.ndarray, int] | None, float]]:
    """Each lesion's outer contour on its window and its area in window pixels (None where it cannot be told), and
    the window's scale (grid pixels per window pixel)."""
    n = len(radii)
    if n == 0:
        return []
    win, factors = _windows(planes, centers, radii)
    # One blur for all windows: (_SIZE, _SIZE, 2n) channels; sigma 0.7 window px against JPEG noise.
    stacked = np.ascontiguousarray(win.transpose(1, 2, 0, 3).reshape(_SIZE, _SIZE, 2 * n))
    chunks = [cv2.GaussianBlur(stacked[..., j:j + 128], (0, 0), 0.7) for j in range(0, 2 * n, 128)]  # cv2: 128 max
    blurred = np.concatenate([c.reshape(_SIZE, _SIZE, -1) for c in chunks], axis=2)
    win = blurred.reshape(_SIZE, _SIZE, n, 2).transpose(2, 0, 1, 3)
    light, a = win[..., 0], win[..., 1]
    skin_l = np.median(light[:, _ANNULUS], axis=1)
    skin_a = np.median(a[:, _ANNULUS], axis=1)
    ref_a = skin_a if not math.isfinite(baseline_a) else np.maximum(skin_a, float(baseline_a))
    dark = skin_l - np.percentile(light[:, _INNER], 10, axis=1)
    red = np.percentile(a[:, _DISC], 90, axis=1) - ref_a
    use_dark = dark / DARK_MIN_L >= red / RED_MIN_A
    found = np.maximum(dark / DARK_MIN_L, red / RED_MIN_A) >= 1.0
    over = np.where(use_dark[:, None, None], light <= (skin_l - dark / 2)[:, None, None],
                    a >= (ref_a + red / 2)[:, None, None]) & _BOUND & found[:, None, None]
    return _regions(over.astype(np.uint8), factors)


def _regions(over: np.ndarray, factors: np.ndarray) -> list[tuple[tuple[np.ndarray, int] | None, float]]:
    """For each window of ``over`` (n, _SIZE, _SIZE) uint8: the outer contour of its pixels connected to the inner
    disc and their area with holes filled (window pixels); None where there are none, too few, or they reach the
    bound along more than ``MAX_BOUNDARY_SHARE`` of it (leaked). All windows are laid side by side, a blank column
    between, so each step is one OpenCV call for the whole photo."""
    n = len(over)
    step = _SIZE + 1
    mosaic = np.zeros((_SIZE, n * step), np.uint8)
    mosaic.reshape(_SIZE, n, step)[:, :, :_SIZE] = over.transpose(1, 0, 2)
    mosaic = cv2.morphologyEx(mosaic, cv2.MORPH_OPEN, _CROSS)  # strips a pixel wide (creases, a frame's edge) cut
    count, labels = cv2.connectedComponents(mosaic, connectivity=4)
    tiles = labels.reshape(_SIZE, n, step)[:, :, :_SIZE].transpose(1, 0, 2)  # (n, _SIZE, _SIZE) views
    seeded = np.zeros(count, np.uint8)
    seeded[tiles[:, _INNER]] = 1
    seeded[0] = 0
    region = seeded[labels]
    contours, _ = cv2.findContours(region, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    filled = np.zeros_like(region)
    cv2.drawContours(filled, contours, -1, 1, -1)  # a pustule's pale head inside its red rim belongs to it
    windows = filled.reshape(_SIZE, n, step)[:, :, :_SIZE].transpose(1, 0, 2)
    areas = windows.reshape(n, -1).sum(axis=1)
    rim = windows[:, _RIM].mean(axis=1)
    outline: list[np.ndarray | None] = [None] * n
    for c in contours:  # each window's largest piece, moved back onto the window's own pixels
        i = int(c[0, 0, 0]) // step
        if outline[i] is None or len(c) > len(outline[i]):  # type: ignore[arg-type]
            outline[i] = c - np.array([i * step, 0], np.int32)
    out: list[tuple[tuple[np.ndarray, int] | None, float]] = []
    for i in range(n):
        ok = outline[i] is not None and rim[i] <= MAX_BOUNDARY_SHARE and areas[i] >= MIN_AREA_PX
        out.append(((outline[i], int(areas[i])) if ok else None, float(factors[i])))  # type: ignore[arg-type]
    return out
