"""Candidate lesions for a labeller to keep or drop: three proposers, merged by centre distance.

Why three: the packaged detector was trained on ACNE04 faces and misses most of a close-up's lesions (issue 31);
the plug finder sees blackheads' dark dots; a multi-scale blob finder (difference of Gaussians, Lindeberg's
scale-normalised Laplacian approximated as in Lowe 2004) sees dark dots, pale domes and red bumps at any size.
A labeller decides faster on a ring than on an empty spot, and misses fewer lesions; what no proposer rings is
added by position on the sheet's grid.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np

from comedo.detect.plugs import RING_PER_PLUG_RADIUS, find_plugs
from comedo.detect.registry import get_detector
from comedo.measure.colour import colour_planes
from comedo.measure.skin import segment_skin

__all__ = ["Candidate", "propose", "find_blobs", "suppress", "DETECTOR_MIN_SCORE", "MAX_PER_PHOTO"]

# Quotas per proposer, strongest first, before merging (twice these on a dense photo's pool). On close-ups
# the face-trained detector scores skin texture: at 0.05 it gives 16-245 candidates per 256 px photo, at 0.10
# 1-176 (20 training photos), so it is cut by count, not only by score. A labeller adds what the quotas leave out.
DETECTOR_MIN_SCORE = 0.10  # below the operating point (0.23): a labeller drops the wrong ones
PLUG_MIN_CONTRAST_HERE = 15.0  # L*, the pipeline's plug contrast; paler dots on a close-up are mostly pores
BLOB_SIGMA = {"blob_dark": 2.0, "blob_bright": 2.5, "blob_red": 2.5}  # px; smaller is skin texture at 256 px
BLOB_MIN = {"blob_dark": 7.0, "blob_bright": 4.0, "blob_red": 3.5}  # normalised DoG response, L* or a* units
QUOTA = {"detector": 12, "plug": 14, "blob_dark": 12, "blob_bright": 8, "blob_red": 8}
PROPOSER_ORDER = ("plug", "detector", "blob_red", "blob_bright", "blob_dark")
MAX_PER_PHOTO = 30  # one sheet's worth; more would be an hour per photo
# A photo is dense when its merged pool holds DENSE_STRONG strong candidates (detector score >= 0.2, plug
# contrast >= 20 L*): a nose full of blackheads, dense acne. It gets up to MAX_DENSE, drawn in quadrants.
DENSE_STRONG = 30
MAX_DENSE = 48


@dataclass(frozen=True)
class Candidate:
    """One proposed lesion: centre (x, y) and radius in the photo's pixels, who proposed it and how strongly
    (``strength`` in [0, 1], comparable across proposers only roughly: it orders the merge)."""

    x: float
    y: float
    r: float
    proposer: str
    strength: float


@lru_cache(maxsize=1)
def _detector():  # noqa: ANN202 - comedo's LesionDetector protocol
    return get_detector("auto")


def _fill_holes(mask: np.ndarray) -> np.ndarray:
    """``mask`` with every region it encloses added: a blackhead's plug is too dark to be "skin" and would
    otherwise be a hole in the mask exactly where the lesion is."""
    outside = np.pad(~mask, 1).astype(np.uint8)
    cv2.floodFill(outside, None, (0, 0), 2)
    return mask | (outside[1:-1, 1:-1] == 1)


def _skin_or_all(rgb: np.ndarray) -> tuple[np.ndarray, object]:
    """The photo's colour planes and a mask to look inside: the skin mask dilated, or everything when the mask
    holds under a fifth of the photo (close-ups with odd light often fool the colour model); never the black
    padding."""
    planes = colour_planes(rgb)
    mask = segment_skin(planes).mask
    if mask.mean() < 0.2:
        mask = np.ones_like(mask)
    # Black padding (rotated or letterboxed copies) carries salt-and-pepper noise: never a lesion.
    mask &= cv2.erode((planes.lightness > 12).astype(np.uint8), np.ones((7, 7), np.uint8)) > 0
    mask = _fill_holes(cv2.dilate(mask.astype(np.uint8), np.ones((9, 9), np.uint8)) > 0)
    return mask, planes


def find_blobs(plane: np.ndarray, mask: np.ndarray, *, polarity: int, min_response: float,
               min_sigma: float = 1.5, max_sigma: float | None = None, ratio: float = 1.35,
               ) -> list[tuple[float, float, float, float]]:
    """Blobs of ``plane`` (H, W) float32 that are brighter (``polarity`` +1) or darker (-1) than around them:
    (x, y, radius, response) for each maximum in space and scale of the scale-normalised difference of Gaussians
    whose response is at least ``min_response`` (in the plane's units) and whose centre is on ``mask``.
    Radius is sigma * sqrt(2), the LoG blob's edge."""
    h, w = plane.shape
    max_sigma = max_sigma or max(min_sigma * 2, min(h, w) / 10)
    sigmas = [min_sigma]
    while sigmas[-1] * ratio <= max_sigma:
        sigmas.append(sigmas[-1] * ratio)
    blurred = [cv2.GaussianBlur(plane, (0, 0), s) for s in [*sigmas, sigmas[-1] * ratio]]
    stack = np.stack([polarity * (blurred[i] - blurred[i + 1]) / (ratio - 1) for i in range(len(sigmas))])
    # A maximum over a window as wide as the blob: a blob drifting across scales counts once.
    spatial = np.stack([cv2.dilate(s, np.ones((2 * round(sg) + 1,) * 2, np.uint8)) for s, sg in
                        zip(stack, sigmas, strict=True)])
    across = spatial.copy()
    across[1:] = np.maximum(across[1:], spatial[:-1])
    across[:-1] = np.maximum(across[:-1], spatial[1:])
    peak = (stack >= across) & (stack >= min_response) & mask[None]
    # A blob reaching well past the mask (the photo's border, black padding) is an edge, not a dome or a dot.
    inside = np.pad(mask, 1).astype(np.uint8)
    room = cv2.distanceTransform(inside, cv2.DIST_L2, 3)[1:-1, 1:-1]
    out = []
    for k, row, col in zip(*np.nonzero(peak), strict=True):
        r = sigmas[k] * np.sqrt(2)
        if room[row, col] < 0.8 * r:
            continue
        out.append((float(col), float(row), float(r), float(stack[k, row, col])))
    return out


def suppress(cands: list[Candidate], *, limit: int) -> list[Candidate]:
    """Strongest first; a candidate is dropped when a kept one marks the same spot: its centre lies within
    0.8 of the larger radius and the radii differ by under 2.5x, or it lies within half the smaller radius
    (concentric rings: a pus head inside its red bump). A small blackhead inside a large nodule ring stays."""
    kept: list[Candidate] = []
    for c in sorted(cands, key=lambda c: -c.strength):
        same = False
        for k in kept:
            d = float(np.hypot(c.x - k.x, c.y - k.y))
            big, small = max(c.r, k.r), min(c.r, k.r)
            if (d < 0.8 * big and big / small < 2.5) or d < 0.5 * small:
                same = True
                break
        if not same:
            kept.append(c)
        if len(kept) >= limit:
            break
    return kept


def pick_fairly(pool: list[Candidate], quota: dict[str, int], limit: int) -> list[Candidate]:
    """At most ``limit`` of ``pool`` (merged, strongest first), each proposer's strongest first and at most its
    ``quota``, interleaved by rank relative to the quota (a proposer with twice the quota gets twice the share):
    one proposer's many weak candidates (a face-trained detector on skin texture) never crowd out another's
    (the plugs of a nose full of blackheads)."""
    ranked = []
    seen: dict[str, int] = {}
    for c in pool:
        rank = seen.get(c.proposer, 0)
        seen[c.proposer] = rank + 1
        if rank < quota.get(c.proposer, 0):
            ranked.append(((rank + 0.5) / quota[c.proposer], PROPOSER_ORDER.index(c.proposer), c))
    ranked.sort(key=lambda t: t[:2])
    return [c for *_, c in ranked[:limit]]


def propose(rgb: np.ndarray, *, limit: int = MAX_PER_PHOTO, dense_limit: int = MAX_DENSE) -> list[Candidate]:
    """Candidates on an (H, W, 3) uint8 RGB close-up, in its pixels, strongest first: at most ``limit``, or
    ``dense_limit`` when the photo is dense (``DENSE_STRONG``)."""
    h, w = rgb.shape[:2]
    mask, planes = _skin_or_all(rgb)
    cands: list[Candidate] = []

    det = _detector()
    found = det.detect(rgb, planes, mask, min_score=DETECTOR_MIN_SCORE, close_up=True)
    lesions = getattr(found, "lesions", found)
    best = np.argsort(-lesions.score, kind="stable")[: 2 * QUOTA["detector"]]
    for (x0, y0, x1, y1), s in zip(lesions.xyxy[best], lesions.score[best], strict=True):
        r = max(x1 - x0, y1 - y0) / 2
        cands.append(Candidate(float((x0 + x1) / 2), float((y0 + y1) / 2), float(max(r, 3.0)), "detector",
                               0.5 + 0.5 * float(s)))

    plugs = find_plugs(planes.lightness, mask)
    order = np.argsort(-plugs.contrast, kind="stable")
    for i in order[: 2 * QUOTA["plug"]]:
        if plugs.contrast[i] < PLUG_MIN_CONTRAST_HERE:
            break
        (x, y), r = plugs.centers[i], plugs.radii[i]
        # A plug's ring is sized to its dot, so it goes before the detector's rings in the merge (which are
        # often 2-4x too large on close-ups and would otherwise suppress the blackheads they cover).
        cands.append(Candidate(float(x), float(y), float(max(r * RING_PER_PLUG_RADIUS, 3.0)), "plug",
                               0.55 + min(float(plugs.contrast[i]) / 100, 0.4)))

    for kind, plane, polarity in (("blob_dark", planes.lightness, -1), ("blob_bright", planes.lightness, 1),
                                  ("blob_red", planes.a_star, 1)):
        thr = BLOB_MIN[kind]
        blobs = sorted(find_blobs(plane, mask, polarity=polarity, min_response=thr,
                                   min_sigma=BLOB_SIGMA[kind]),
                       key=lambda b: -b[3])
        for x, y, r, resp in blobs[: 2 * QUOTA[kind]]:
            cands.append(Candidate(x, y, max(r, 3.0), kind, min(0.25 + 0.05 * resp / thr, 0.7)))
    pool = suppress(cands, limit=4 * dense_limit)
    strong = sum((c.proposer == "detector" and c.strength >= 0.6) or (c.proposer == "plug" and c.strength >= 0.75)
                 for c in pool)
    dense = strong >= DENSE_STRONG
    kept = pick_fairly(pool, {k: (2 if dense else 1) * q for k, q in QUOTA.items()},
                       dense_limit if dense else limit)
    return [c for c in kept if 0 <= c.x < w and 0 <= c.y < h]
