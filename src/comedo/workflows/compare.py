"""Before/after comparison: register the two photos, then match lesions one to one.

Registration: ORB features (Rublee et al., ICCV 2011) matched with Lowe's ratio
test, a RANSAC homography, then ECC refinement (Evangelidis & Psarakis, IEEE
TPAMI 30(10), 2008) on the overlapping skin. The comparison is refused, with
the reason, when the photos do not show the same skin: too few consistent
matches, a degenerate homography, too little overlap, or a poor photometric
fit after alignment (ECC correlation).

Matching: "before" lesions are mapped into the "after" photo and paired
greedily by distance (closest first, within 1.5x the larger radius, at least
8 px). Hysteresis keeps detector flicker out of the counts: a lesion counts
as present at the operating threshold, but as gone (resolved, or absent
before a new one) only if nothing scores even half that at its place in the
other photo. Lesions outside the other photo's field of view are reported as
out of view, not as resolved or new.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import cv2
import numpy as np

from comedo.types import Analysis

__all__ = ["Registration", "LesionMatch", "Comparison", "Features", "features", "register", "register_allowing_mirror",
           "compare", "compare_photos",
           "comparison_document"]

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


@dataclass(frozen=True)
class LesionMatch:
    before_index: int
    after_index: int
    distance_px: float


@dataclass(frozen=True)
class Comparison:
    registration: Registration
    pairs: tuple[LesionMatch, ...] = ()
    resolved: tuple[int, ...] = ()  # before indices
    new: tuple[int, ...] = ()  # after indices
    out_of_view_before: tuple[int, ...] = ()
    out_of_view_after: tuple[int, ...] = ()
    faded: tuple[int, ...] = ()  # before indices still faintly detected after: persisting, below the count threshold
    redness: dict[str, float | None] = field(default_factory=dict)

    @property
    def counts(self) -> dict[str, int]:
        return {"resolved": len(self.resolved), "persisting": len(self.pairs) + len(self.faded), "new": len(self.new),
                "out_of_view": len(self.out_of_view_before) + len(self.out_of_view_after)}


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


def _overlap(shape1: tuple[int, ...], shape2: tuple[int, ...], h: np.ndarray) -> float:
    mask = cv2.warpPerspective(np.ones(shape1[:2], np.uint8), h, (shape2[1], shape2[0]))
    return float(mask.mean())


def _map_points(points: np.ndarray, h: np.ndarray) -> np.ndarray:
    if len(points) == 0:
        return points.reshape(0, 2)
    return cv2.perspectiveTransform(points.reshape(-1, 1, 2).astype(np.float64), h).reshape(-1, 2)


def _inside(points: np.ndarray, width: int, height: int, margin: float = 4.0) -> np.ndarray:
    return ((points[:, 0] >= margin) & (points[:, 0] < width - margin)
            & (points[:, 1] >= margin) & (points[:, 1] < height - margin))


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
    width = after.shape[1]
    flip = np.array([[-1.0, 0.0, width - 1.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    return replace(flipped, homography=flip @ flipped.homography, mirrored=True,
                   reason="aligned (the after photo is a mirror image of the before, as front cameras take selfies)")


def compare(before: Analysis, after: Analysis, *, present_threshold: float | None = None) -> Comparison:
    """Compare two analyses. For the hysteresis to work, analyse both photos with
    ``min_score`` about half the operating threshold (``compare_photos`` does)."""
    reg = register_allowing_mirror(before.image.pixels, after.image.pixels)
    if not reg.ok or reg.homography is None:
        return Comparison(reg)
    thr = present_threshold if present_threshold is not None else max(before.min_score, after.min_score)
    h = reg.homography
    b_present = np.nonzero(before.lesions.score >= thr)[0]
    a_present = np.nonzero(after.lesions.score >= thr)[0]
    b_all_mapped = _map_points(before.lesions.centers, h)
    a_all_back = _map_points(after.lesions.centers, np.linalg.inv(h))
    scale = float(np.sqrt(abs(np.linalg.det(h[:2, :2]))))
    b_radius = before.lesions.radii * scale
    a_radius = after.lesions.radii
    in_after = _inside(b_all_mapped, after.image.width, after.image.height)
    in_before = _inside(a_all_back, before.image.width, before.image.height)

    candidates = []
    for i in b_present:
        for j in a_present:
            d = float(np.hypot(*(b_all_mapped[i] - after.lesions.centers[j])))
            if d <= max(1.5 * max(b_radius[i], a_radius[j]), 8.0):
                candidates.append((d, int(i), int(j)))
    candidates.sort()
    used_b: set[int] = set()
    used_a: set[int] = set()
    pairs = []
    for d, i, j in candidates:
        if i not in used_b and j not in used_a:
            used_b.add(i)
            used_a.add(j)
            pairs.append(LesionMatch(i, j, round(d, 1)))

    def has_weak(points: np.ndarray, radii: np.ndarray, centers: np.ndarray, other_radii: np.ndarray) -> bool:
        if len(centers) == 0:
            return False
        d = np.hypot(centers[:, 0] - points[0], centers[:, 1] - points[1])
        return bool((d <= np.maximum(1.5 * np.maximum(other_radii, radii), 8.0)).any())

    resolved, new, oov_b, oov_a, faded = [], [], [], [], []
    for i in b_present:
        if int(i) in used_b:
            continue
        if not in_after[i]:
            oov_b.append(int(i))
        elif not has_weak(b_all_mapped[i], b_radius[i], after.lesions.centers, a_radius):
            resolved.append(int(i))
        else:  # still faintly there: persisting below the counting threshold
            faded.append(int(i))
    for j in a_present:
        if int(j) in used_a:
            continue
        if not in_before[j]:
            oov_a.append(int(j))
        elif not has_weak(a_all_back[j], a_radius[j] / max(scale, 1e-6), before.lesions.centers,
                          before.lesions.radii):
            new.append(int(j))
    redness = {
        "before_delta_a_p90": _finite(before.redness.delta_p90),
        "after_delta_a_p90": _finite(after.redness.delta_p90),
        "change_delta_a_p90": _finite(after.redness.delta_p90 - before.redness.delta_p90),
        "before_inflamed_fraction": round(before.redness.inflamed_fraction, 4),
        "after_inflamed_fraction": round(after.redness.inflamed_fraction, 4),
    }
    return Comparison(reg, tuple(pairs), tuple(resolved), tuple(new), tuple(oov_b), tuple(oov_a), tuple(faded),
                      redness)


def compare_photos(before: object, after: object, *, detector: str = "auto") -> tuple[Analysis, Analysis, Comparison]:
    """Analyse both photos at half the detector's operating threshold and compare them with hysteresis."""
    from comedo.detect.registry import get_detector
    from comedo.pipeline import analyze

    threshold = get_detector(detector).default_min_score
    a = analyze(before, detector=detector, min_score=threshold / 2)  # type: ignore[arg-type]
    b = analyze(after, detector=detector, min_score=threshold / 2)  # type: ignore[arg-type]
    return a, b, compare(a, b, present_threshold=threshold)


def comparison_document(before: Analysis, after: Analysis, comp: Comparison) -> dict[str, object]:
    """The comparison.json document."""
    reg = comp.registration
    centres_b, centres_a = before.lesions.centers, after.lesions.centers

    def pt(p: np.ndarray) -> list[float]:
        return [round(float(p[0]), 1), round(float(p[1]), 1)]

    return {
        "schema_version": "1.0",
        "before": {"path": before.image.source, "sha256": before.image.sha256},
        "after": {"path": after.image.source, "sha256": after.image.sha256},
        "registration": {"ok": reg.ok, "confidence": round(reg.confidence, 3), "reason": reg.reason,
                         "mirrored": reg.mirrored,
                         "inliers": reg.inliers, "matches": reg.matches, "overlap": round(reg.overlap, 3),
                         "ecc_correlation": None if reg.ecc is None else round(reg.ecc, 3),
                         "homography": None if reg.homography is None else np.round(reg.homography, 6).tolist()},
        "lesions": comp.counts if reg.ok else None,
        "pairs": [{"before_index": m.before_index, "after_index": m.after_index,
                   "before_center": pt(centres_b[m.before_index]),
                   "after_center": pt(centres_a[m.after_index]), "distance_px": m.distance_px} for m in comp.pairs],
        "persisting_faded": [{"before_index": i, "before_center": pt(centres_b[i])} for i in comp.faded],
        "resolved": [{"before_index": i, "before_center": pt(centres_b[i])} for i in comp.resolved],
        "new": [{"after_index": j, "after_center": pt(centres_a[j])} for j in comp.new],
        "out_of_view": {"before": list(comp.out_of_view_before), "after": list(comp.out_of_view_after)},
        "redness": comp.redness if reg.ok else None,
        "disclaimer": "comedo is not a medical device.",
    }


def _finite(value: float) -> float | None:
    return round(float(value), 2) if np.isfinite(value) else None
