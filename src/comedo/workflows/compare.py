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

import numpy as np

from comedo.analysis import Analysis
from comedo.types import SkinImage
from comedo.workflows.compare_sizes import growth_summary, pair_growth
from comedo.workflows.face_registration import register_by_landmarks
from comedo.workflows.registration import (
    Registration,
    map_points,
    register_allowing_mirror,
)

__all__ = ["LesionMatch", "Comparison", "compare", "compare_photos", "compare_stored", "comparison_document"]





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
















def _inside(points: np.ndarray, width: int, height: int, margin: float = 4.0) -> np.ndarray:
    return ((points[:, 0] >= margin) & (points[:, 0] < width - margin)
            & (points[:, 1] >= margin) & (points[:, 1] < height - margin))




def compare(before: Analysis, after: Analysis, *, present_threshold: float | None = None) -> Comparison:
    """Compare two analyses. For the hysteresis to work, analyse both photos with
    ``min_score`` about half the operating threshold (``compare_photos`` does)."""
    # Faces in both: aligned on their landmarks (a mirrored selfie included); otherwise, or where the skin does not
    # line up that way, on the skin's texture.
    reg = register_by_landmarks(before, after) or register_allowing_mirror(before.image.pixels, after.image.pixels)
    if not reg.ok or reg.homography is None:
        return Comparison(reg)
    thr = present_threshold if present_threshold is not None else max(before.min_score, after.min_score)
    h = reg.homography
    b_present = np.nonzero(before.lesions.score >= thr)[0]
    a_present = np.nonzero(after.lesions.score >= thr)[0]
    b_all_mapped = map_points(before.lesions.centers, h)
    a_all_back = map_points(after.lesions.centers, np.linalg.inv(h))
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
    """Analyse both photos at half the operating threshold of the detector that rings each (a close-up's is the
    close-up detector's) and compare them with hysteresis at the full threshold."""
    from comedo.pipeline import analyze

    a = analyze(before, detector=detector, score_factor=0.5)  # type: ignore[arg-type]
    b = analyze(after, detector=detector, score_factor=0.5)  # type: ignore[arg-type]
    return a, b, compare(a, b, present_threshold=2 * max(a.min_score, b.min_score))


def compare_stored(before: Analysis, after: Analysis) -> tuple[Analysis, Analysis, Comparison]:
    """Two stored analyses (read back on their stored photos) compared: what ``comedo compare --subject`` and the
    web page's stored compare run. A stored document keeps only the lesions at the operating threshold, so
    comparing the documents as stored lost the hysteresis and answered differently from ``comedo compare A B`` on
    the same two photos (issue 33); the stored photos (lossless copies of the oriented pixels) are analysed again
    by ``compare_photos`` instead, the one function both paths share. A scale the user gave is kept; one the
    pipeline found (ruler, iris) is found again."""
    from comedo.detect.classical import ClassicalDetector

    classical = before.detector == after.detector == ClassicalDetector.name
    return compare_photos(_reloaded(before), _reloaded(after), detector="classical" if classical else "auto")


def _reloaded(analysis: Analysis) -> SkinImage:
    given = analysis.scale is not None and analysis.scale.source == "given"
    return replace(analysis.image, mm_per_px=analysis.image.mm_per_px if given else None)


def comparison_document(before: Analysis, after: Analysis, comp: Comparison) -> dict[str, object]:
    """The comparison.json document."""
    reg = comp.registration
    centres_b, centres_a = before.lesions.centers, after.lesions.centers
    growth = pair_growth(before, after, comp.pairs)  # each matched lesion's growth (comedo.workflows.compare_sizes)

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
                   "after_center": pt(centres_a[m.after_index]), "distance_px": m.distance_px, **g}
                  for m, g in zip(comp.pairs, growth, strict=True)],
        "growth": growth_summary(before, after, growth),  # in mm where both photos have a scale
        "persisting_faded": [{"before_index": i, "before_center": pt(centres_b[i])} for i in comp.faded],
        "resolved": [{"before_index": i, "before_center": pt(centres_b[i])} for i in comp.resolved],
        "new": [{"after_index": j, "after_center": pt(centres_a[j])} for j in comp.new],
        "out_of_view": {"before": list(comp.out_of_view_before), "after": list(comp.out_of_view_after)},
        "redness": comp.redness if reg.ok else None,
        "disclaimer": "comedo is not a medical device.",
    }


def _finite(value: float) -> float | None:
    return round(float(value), 2) if np.isfinite(value) else None
