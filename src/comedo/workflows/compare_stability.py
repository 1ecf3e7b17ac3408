"""How steady before/after comparison is on unchanged skin: each photo against a copy of itself turned 3-8
degrees, cropped and re-encoded (nothing on the skin changed, so every lesion should persist), through both paths
a user has: the two files (``comedo compare A B``) and the two analyses saved for one subject and compared as stored
(``comedo compare --subject S``, the web page's stored compare). The figures issue 33 set targets for: the share
of pairs where resolved + new stays within 10 % of the lesions, the share where both paths agree exactly, and the
share where GAGS moves by at most 1.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

__all__ = ["PairResult", "turned_copy", "stability_pair", "evaluate_stability", "summarise_stability"]


@dataclass(frozen=True)
class PairResult:
    """One photo and its turned copy compared both ways."""

    name: str
    angle_deg: float
    registered: bool
    lesions: int  # present lesions in either photo: persisting + resolved + new (file path)
    resolved: int
    new: int
    persisting: int
    stored_counts: dict[str, int] | None  # None when the stored path refused the pair
    file_counts: dict[str, int] | None
    gags_before: int | None
    gags_after: int | None

    @property
    def changed_fraction(self) -> float:
        """(resolved + new) / lesions; 0 when there are no lesions and nothing changed."""
        return (self.resolved + self.new) / self.lesions if self.lesions else 0.0

    @property
    def paths_agree(self) -> bool:
        return self.stored_counts == self.file_counts


def turned_copy(rgb: np.ndarray, *, seed: int) -> tuple[bytes, float]:
    """A JPEG of ``rgb`` turned 3-8 degrees either way (about its centre, the corners filled by reflection as a
    phone's wider frame would show more skin), cropped 2-5 % from each side at random, re-encoded at quality
    80-92; returns the bytes and the angle."""
    rng = np.random.default_rng(seed)
    angle = float(rng.uniform(3.0, 8.0) * rng.choice([-1.0, 1.0]))
    h, w = rgb.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    turned = cv2.warpAffine(rgb, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT_101)
    top, bottom = (int(h * f) for f in rng.uniform(0.02, 0.05, 2))
    left, right = (int(w * f) for f in rng.uniform(0.02, 0.05, 2))
    cropped = np.ascontiguousarray(turned[top: h - bottom, left: w - right])
    ok, buf = cv2.imencode(".jpg", cv2.cvtColor(cropped, cv2.COLOR_RGB2BGR),
                           [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(80, 93))])
    if not ok:
        raise RuntimeError("OpenCV could not encode the turned copy")
    return buf.tobytes(), angle


def _counts(comp: object) -> dict[str, int] | None:
    reg = comp.registration  # type: ignore[attr-defined]
    return dict(comp.counts) if reg.ok else None  # type: ignore[attr-defined]


def stability_pair(path: Path, store: object, work: Path, *, seed: int) -> PairResult:
    """``path`` against its turned copy: the file path, the stored path (both analyses saved under one subject
    in ``store``, a ``comedo.store.repository.Store``) and the two photos' GAGS as analysed."""
    from comedo.io import load_image
    from comedo.pipeline import analyze
    from comedo.workflows.compare import compare_photos, compare_stored

    before = load_image(path)
    data, angle = turned_copy(before.pixels, seed=seed)
    copy_path = work / f"{path.stem}.turned.jpg"
    copy_path.write_bytes(data)
    _, _, comp = compare_photos(path, copy_path)
    file_counts = _counts(comp)
    first, second = analyze(path), analyze(copy_path)
    subject = f"s{seed}"
    ids = [store.save_analysis(a, subject_id=subject) for a in (first, second)]  # type: ignore[attr-defined]
    stored = compare_stored(store.analysis(ids[0]), store.analysis(ids[1]))[2]  # type: ignore[attr-defined]
    c = file_counts or {"resolved": 0, "persisting": 0, "new": 0}
    gags = [None if a.severity.gags is None else int(a.severity.gags.score) for a in (first, second)]
    return PairResult(path.name, round(angle, 1), file_counts is not None,
                      c["resolved"] + c["persisting"] + c["new"], c["resolved"], c["new"], c["persisting"],
                      _counts(stored), file_counts, gags[0], gags[1])


def evaluate_stability(paths: Sequence[Path], store: object, work: Path, *, seed: int = 0) -> list[PairResult]:
    """Every photo in ``paths`` against its turned copy (seeded per photo), saved in ``store`` (a throwaway
    ``Store``: the store sits beside workflows in the layers, so the caller opens it), copies written in
    ``work``."""
    return [stability_pair(p, store, work, seed=seed * 1000 + i) for i, p in enumerate(paths)]


def summarise_stability(results: Sequence[PairResult]) -> dict[str, float | int]:
    """The targets' figures: pairs aligned; within 10 % changed; both paths identical; GAGS within 1 (over pairs
    where either photo was graded, a grade on one side only counting as a miss)."""
    n = len(results)
    aligned = [r for r in results if r.registered]
    graded = [r for r in results if r.gags_before is not None or r.gags_after is not None]
    gags_ok = [r for r in graded if r.gags_before is not None and r.gags_after is not None
               and abs(r.gags_before - r.gags_after) <= 1]
    lesions = sum(r.lesions for r in aligned)
    return {
        "pairs": n,
        "aligned": len(aligned),
        "within_10pct": sum(r.registered and r.changed_fraction <= 0.10 for r in results),
        "paths_identical": sum(r.paths_agree for r in results),
        "graded": len(graded),
        "gags_within_1": len(gags_ok),
        "lesions": lesions,
        "resolved": sum(r.resolved for r in aligned),
        "new": sum(r.new for r in aligned),
    }
