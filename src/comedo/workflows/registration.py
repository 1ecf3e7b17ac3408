"""Registration of two photos of the same skin: ORB features, a RANSAC homography refined by ECC, and the
checks (inliers, overlap, correlation) that say whether the photos show the same skin at all; a mirrored
after photo (a front camera's selfie) is tried too."""

from __future__ import annotations

from dataclasses import dataclass, replace

import cv2
import numpy as np

__all__ = ["MIN_INLIERS", "MIN_INLIER_RATIO", "MIN_OVERLAP", "MIN_ECC", "WORK_SIDE", "Registration", "Features",
           "features", "register", "register_allowing_mirror", "refine", "map_points", "mirror_matrix"]


MIN_INLIERS = 25


MIN_INLIER_RATIO = 0.2


MIN_OVERLAP = 0.25


MIN_ECC = 0.55


WORK_SIDE = 800


@dataclass(frozen=True)
class Registration:
    ok: bool
    confidence: float
    homography: np.ndarray | None  # 3x3, before pixels -> after pixels
    inliers: int
    matches: int
    overlap: float
    ecc: float | None
    reason: str
    mirrored: bool = False  # the after photo is the before's mirror image (a selfie); homography includes the flip


def _gray(rgb: np.ndarray) -> tuple[np.ndarray, float]:
    scale = min(1.0, WORK_SIDE / max(rgb.shape[:2]))
    small = cv2.resize(rgb, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else rgb
    gray = cv2.cvtColor(small, cv2.COLOR_RGB2GRAY)
    return cv2.createCLAHE(clipLimit=2.0, tileGridSize=(8, 8)).apply(gray), scale


@dataclass(frozen=True, eq=False)
class Features:
    """ORB keypoints of one photo on its equalised small grey copy; compute once, register many times."""

    gray: np.ndarray
    scale: float
    keypoints: tuple
    descriptors: np.ndarray | None


def features(rgb: np.ndarray) -> Features:
    gray, scale = _gray(rgb)
    orb = cv2.ORB_create(nfeatures=4000, scaleFactor=1.2, nlevels=8, fastThreshold=10)
    keypoints, descriptors = orb.detectAndCompute(gray, None)
    return Features(gray, scale, tuple(keypoints), descriptors)


def register(before: np.ndarray | Features, after: np.ndarray | Features) -> Registration:
    """Homography from ``before`` to ``after`` (RGB arrays, or their precomputed ``features``), or a refusal
    with the reason."""
    f1 = before if isinstance(before, Features) else features(before)
    f2 = after if isinstance(after, Features) else features(after)
    g1, s1, k1, d1 = f1.gray, f1.scale, f1.keypoints, f1.descriptors
    g2, s2, k2, d2 = f2.gray, f2.scale, f2.keypoints, f2.descriptors
    if d1 is None or d2 is None or len(k1) < 10 or len(k2) < 10:
        return Registration(False, 0.0, None, 0, 0, 0.0, None, "too few distinctive features to align the photos")
    pairs = cv2.BFMatcher(cv2.NORM_HAMMING).knnMatch(d1, d2, k=2)
    good = [m[0] for m in pairs if len(m) == 2 and m[0].distance < 0.8 * m[1].distance]
    if len(good) < MIN_INLIERS:
        return Registration(False, 0.0, None, 0, len(good), 0.0, None,
                            f"only {len(good)} matching features: these do not look like the same skin")
    src = np.float32([k1[m.queryIdx].pt for m in good])
    dst = np.float32([k2[m.trainIdx].pt for m in good])
    h_small, mask = cv2.findHomography(src, dst, cv2.RANSAC, 4.0, maxIters=5000, confidence=0.999)
    inliers = int(mask.sum()) if mask is not None else 0
    ratio = inliers / len(good)
    if h_small is None or inliers < MIN_INLIERS or ratio < MIN_INLIER_RATIO:
        return Registration(False, min(1.0, ratio), None, inliers, len(good), 0.0, None,
                            f"only {inliers} of {len(good)} matches agree on one alignment: "
                            "these do not look like the same skin")
    det = float(np.linalg.det(h_small[:2, :2]))
    if not (0.1 < det < 10) or np.abs(h_small[2, :2]).max() > 0.003:
        return Registration(False, 0.2, None, inliers, len(good), 0.0, None,
                            "the alignment is implausibly distorted: these do not look like the same skin")
    ecc, h_small = _refine_ecc(g1, g2, h_small)
    overlap = _overlap(g1.shape, g2.shape, h_small)
    confidence = float(np.clip(min(inliers / 100, 1.0) * 0.4 + ratio * 0.3 + (ecc or 0) * 0.3, 0, 1))
    # Scale the small-image homography to full resolution: H = S2 * Hs * S1^-1.
    h_full = np.diag([1 / s2, 1 / s2, 1.0]) @ h_small @ np.diag([s1, s1, 1.0])
    if overlap < MIN_OVERLAP:
        return Registration(False, confidence, h_full, inliers, len(good), overlap, ecc,
                            f"the photos overlap by only {overlap:.0%}")
    if ecc is not None and ecc < MIN_ECC:
        return Registration(False, confidence, h_full, inliers, len(good), overlap, ecc,
                            f"after alignment the photos still differ (correlation {ecc:.2f}): not the same skin")
    return Registration(True, confidence, h_full, inliers, len(good), overlap, ecc, "aligned")


def _refine_ecc(g1: np.ndarray, g2: np.ndarray, h: np.ndarray) -> tuple[float | None, np.ndarray]:
    scale = min(1.0, 400 / max(g2.shape))
    a = cv2.resize(g1, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA).astype(np.float32)
    b = cv2.resize(g2, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA).astype(np.float32)
    s = np.diag([scale, scale, 1.0])
    warp = (s @ h @ np.linalg.inv(s)).astype(np.float32)
    warp /= warp[2, 2]
    try:
        # ECC's warp maps template (before) coordinates to input (after) coordinates, like ours.
        cc, warp = cv2.findTransformECC(a, b, warp, cv2.MOTION_HOMOGRAPHY,
                                        (cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, 60, 1e-5), None, 5)
        refined = np.linalg.inv(s) @ warp.astype(np.float64) @ s
        return float(cc), refined / refined[2, 2]
    except cv2.error:
        warped = cv2.warpPerspective(b, warp, (a.shape[1], a.shape[0]), flags=cv2.WARP_INVERSE_MAP)
        valid = cv2.warpPerspective(np.ones_like(b), warp, (a.shape[1], a.shape[0]), flags=cv2.WARP_INVERSE_MAP) > 0.5
        a, b = warped, a
        if valid.sum() < 100:
            return None, h
        cc = float(np.corrcoef(a[valid], b[valid])[0, 1])
        return cc, h


def refine(before: np.ndarray, after: np.ndarray, h: np.ndarray) -> tuple[float | None, np.ndarray]:
    """ECC refinement of a full-resolution homography ``h`` (``before`` pixels -> ``after`` pixels, RGB arrays)
    on the photos' equalised grey copies, as ``register`` refines its own: a start found by other means (the
    face's landmarks, tens of pixels off on a turned face) ends on the skin's texture. Returns the correlation
    (None where ECC could not run) and the refined homography."""
    g1, s1 = _gray(before)
    g2, s2 = _gray(after)
    h_small = np.diag([s2, s2, 1.0]) @ h @ np.diag([1 / s1, 1 / s1, 1.0])
    ecc, h_small = _refine_ecc(g1, g2, h_small / h_small[2, 2])
    return ecc, np.diag([1 / s2, 1 / s2, 1.0]) @ h_small @ np.diag([s1, s1, 1.0])


def _overlap(shape1: tuple[int, ...], shape2: tuple[int, ...], h: np.ndarray) -> float:
    mask = cv2.warpPerspective(np.ones(shape1[:2], np.uint8), h, (shape2[1], shape2[0]))
    return float(mask.mean())


def map_points(points: np.ndarray, h: np.ndarray) -> np.ndarray:
    if len(points) == 0:
        return points.reshape(0, 2)
    return cv2.perspectiveTransform(points.reshape(-1, 1, 2).astype(np.float64), h).reshape(-1, 2)


def mirror_matrix(width: int) -> np.ndarray:
    """The 3x3 map from a photo's mirror image (flipped left to right) to the photo, ``width`` pixels wide."""
    return np.array([[-1.0, 0.0, width - 1.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])


def register_allowing_mirror(before: np.ndarray, after: np.ndarray) -> Registration:
    """``register``, and where it refuses, the same with ``after`` mirrored left to right: a phone's front camera
    mirrors selfies, so the same face photographed twice can be each other's mirror image. The homography then
    maps ``before`` onto the real ``after`` (the flip included), and ``mirrored`` says so."""
    direct = register(before, after)
    if direct.ok:
        return direct
    flipped = register(before, np.ascontiguousarray(after[:, ::-1]))
    if not flipped.ok or flipped.homography is None:
        return direct
    return replace(flipped, homography=mirror_matrix(after.shape[1]) @ flipped.homography, mirrored=True,
                   reason="aligned (the after photo is a mirror image of the before, as front cameras take selfies)")
