"""Before/after aligned on the face's landmarks, when both photos show a face: a RANSAC homography over the 468
corresponding points, for the photo as it is and for its mirror image (a front camera's selfie), the two told
apart, and a different face refused, by how well the skin itself lines up (grey-level correlation over the face).

Landmarks align any two faces, so the correlation check is what says the photos show the same skin.
"""

from __future__ import annotations

import cv2
import numpy as np

from comedo.analysis import Analysis
from comedo.face.mesh import find_face
from comedo.pipeline import analysis_pixels
from comedo.workflows.registration import MIN_ECC, Registration, mirror_matrix, refine

__all__ = ["register_by_landmarks", "MIN_FACE_CORRELATION"]

MIN_FACE_CORRELATION = MIN_ECC  # the same bar as texture registration's correlation
WORK_SIDE = 400


def _photo_points(analysis: Analysis) -> np.ndarray | None:
    if analysis.face is None or analysis.face.mesh is None:
        return None
    return analysis.face.mesh.points[:, :2] / analysis.analysis_scale


def _flipped_points(after: Analysis) -> np.ndarray | None:
    """The after photo's landmarks found on its mirror image, in the mirror image's photo pixels."""
    work, scale = analysis_pixels(after.image.pixels)
    mesh = find_face(np.ascontiguousarray(work[:, ::-1]))
    return None if mesh is None else mesh.points[:, :2] / scale


def _correlation(before: np.ndarray, after: np.ndarray, h: np.ndarray, face_points: np.ndarray) -> float:
    """Correlation of the grey before photo warped onto the after photo, over the face's hull in the after."""
    s = min(1.0, WORK_SIDE / max(after.shape[:2]))
    sb = np.diag([s, s, 1.0])
    small_a = cv2.resize(cv2.cvtColor(after, cv2.COLOR_RGB2GRAY), None, fx=s, fy=s, interpolation=cv2.INTER_AREA)
    grey_b = cv2.cvtColor(before, cv2.COLOR_RGB2GRAY)
    warped = cv2.warpPerspective(grey_b, sb @ h, (small_a.shape[1], small_a.shape[0]))
    valid = cv2.warpPerspective(np.ones_like(grey_b), sb @ h, (small_a.shape[1], small_a.shape[0])) > 0
    hull = np.zeros(small_a.shape, np.uint8)
    cv2.fillConvexPoly(hull, cv2.convexHull(np.round(face_points * s).astype(np.int32)), 1)
    region = valid & (hull > 0)
    if region.sum() < 200:
        return 0.0
    clahe = cv2.createCLAHE(clipLimit=2.0, tileGridSize=(8, 8))
    a, b = clahe.apply(small_a)[region].astype(np.float64), clahe.apply(warped)[region].astype(np.float64)
    return float(np.corrcoef(a, b)[0, 1]) if a.std() > 0 and b.std() > 0 else 0.0


def register_by_landmarks(before: Analysis, after: Analysis) -> Registration | None:
    """The landmark registration of two analyses whose photos both show a face, or None (no face in one of them,
    or the skin does not line up under either hypothesis: texture registration is tried then)."""
    pb, pa = _photo_points(before), _photo_points(after)
    if pb is None or pa is None:
        return None
    hypotheses = [(False, pa, np.eye(3))]
    flipped = _flipped_points(after)
    if flipped is not None:
        hypotheses.append((True, flipped, mirror_matrix(after.image.width)))
    best: tuple[float, bool, np.ndarray, int] | None = None
    for mirrored, target, undo in hypotheses:
        h, mask = cv2.findHomography(pb.astype(np.float32), target.astype(np.float32), cv2.RANSAC, 6.0)
        if h is None:
            continue
        h_photo = undo @ h  # before pixels -> the real after photo's pixels
        cc = _correlation(before.image.pixels, after.image.pixels, h_photo, pa)
        if best is None or cc > best[0]:
            best = (cc, mirrored, h_photo, int(mask.sum()))
    if best is None:
        return None
    # The mesh lands a little differently on a turned or zoomed face (tens of pixels on a side view): refine on the
    # skin's texture from there, kept where the face lines up better.
    _, h_refined = refine(before.image.pixels, after.image.pixels, best[2])
    cc_refined = _correlation(before.image.pixels, after.image.pixels, h_refined, pa)
    if cc_refined > best[0]:
        best = (cc_refined, best[1], h_refined, best[3])
    if best[0] < MIN_FACE_CORRELATION:
        return None
    cc, mirrored, h, inliers = best
    corners = np.array([[0, 0], [before.image.width, 0], [before.image.width, before.image.height],
                        [0, before.image.height]], np.float64).reshape(-1, 1, 2)
    shown = cv2.perspectiveTransform(corners, h).reshape(-1, 2)
    mask = np.zeros((after.image.height, after.image.width), np.uint8)
    cv2.fillConvexPoly(mask, np.round(shown).astype(np.int32), 1)
    reason = "aligned on the face's landmarks" + (
        " (the after photo is a mirror image of the before, as front cameras take selfies)" if mirrored else "")
    return Registration(True, float(np.clip(cc, 0, 1)), h, inliers, len(pb), float(mask.mean()), cc, reason,
                        mirrored=mirrored)
