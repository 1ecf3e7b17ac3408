"""Faces from other cameras, labelled acne or clean only (``faces-wild``: ``acne/`` and ``clean/`` folders).

No boxes and no grades, so the figures are what such labels can check: whether the lesion count (and the
estimated full count, and the Hayashi grade) separates acne from clean faces (ROC AUC), how often clean faces are
graded mild and get at most one lesion, how often acne faces get at least one. Every figure is also given by skin
tone (ITA band of the person's own baseline skin, ``comedo.measure.skin_tone``) with its count, and with 95 %
intervals from resampling source photos (Roboflow copies of one photo share the name before ``.rf.`` and go
together).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from comedo.errors import InvalidInputError
from comedo.files import IMAGE_SUFFIXES
from comedo.measure.skin_tone import ITA_BANDS, ita_band
from comedo.workflows.metrics import group_resamples, roc_auc

__all__ = ["FaceResult", "load_faces", "run_faces", "summarise_faces", "is_faces_folder"]


@dataclass(frozen=True)
class FaceResult:
    path: str
    acne: bool
    source: str
    lesions: int
    estimated: int
    grade: int | None  # Hayashi 0-3; None when not graded (a photo read as a close-up)
    ita_deg: float | None


def is_faces_folder(root: Path) -> bool:
    return (root / "acne").is_dir() and (root / "clean").is_dir()


def load_faces(root: Path) -> list[tuple[Path, bool, str]]:
    """(photo, is acne, source group) for every photo under ``root/acne`` and ``root/clean``."""
    if not is_faces_folder(root):
        raise InvalidInputError(f"{root}: expected acne/ and clean/ folders of photos")
    out = []
    for label in ("acne", "clean"):
        for path in sorted((root / label).iterdir()):
            if path.suffix.lower() in IMAGE_SUFFIXES:
                out.append((path, label == "acne", f"{label}/{path.name.split('.rf.')[0]}"))
    return out


def run_faces(photos: list[tuple[Path, bool, str]], *, detector: str = "auto",
              progress: Callable[[int, int], None] | None = None) -> list[FaceResult]:
    from comedo.pipeline import analyze

    results = []
    for i, (path, acne, source) in enumerate(photos):
        a = analyze(path, detector=detector)
        sev = a.severity
        ita = a.redness.ita_deg
        results.append(FaceResult(str(path), acne, source, len(a.lesions),
                                  sev.estimated_lesion_count if sev.estimated_lesion_count is not None
                                  else len(a.lesions), sev.hayashi_grade,
                                  float(ita) if np.isfinite(ita) else None))
        if progress:
            progress(i + 1, len(photos))
    return results


def _figures(rs: list[FaceResult]) -> dict[str, float | int | None]:
    acne = np.array([r.acne for r in rs], bool)
    lesions = np.array([r.lesions for r in rs], float)
    estimated = np.array([r.estimated for r in rs], float)
    grade = np.array([-1 if r.grade is None else r.grade for r in rs], float)  # not graded: below mild
    clean = ~acne

    def share(mask: np.ndarray, of: np.ndarray) -> float | None:
        return round(float(mask[of].mean()), 4) if of.any() else None

    return {
        "photos": len(rs), "acne": int(acne.sum()), "clean": int(clean.sum()),
        "auc_lesion_count": round(roc_auc(lesions, acne), 4) if acne.any() and clean.any() else None,
        "auc_estimated_count": round(roc_auc(estimated, acne), 4) if acne.any() and clean.any() else None,
        "auc_grade": round(roc_auc(grade, acne), 4) if acne.any() and clean.any() else None,
        "clean_graded_mild": share(grade <= 0, clean),
        "clean_at_most_one_lesion": share(lesions <= 1, clean),
        "acne_with_a_lesion": share(lesions >= 1, acne),
    }


def _intervals(rs: list[FaceResult], rounds: int, seed: int) -> dict[str, list[float]]:
    values: dict[str, list[float]] = {}
    for idx in group_resamples([r.source for r in rs], rounds=rounds, seed=seed):
        for k, v in _figures([rs[i] for i in idx]).items():
            if k.startswith(("auc", "clean_", "acne_with")) and v is not None and np.isfinite(v):
                values.setdefault(k, []).append(float(v))
    return {k: [round(float(q), 3) for q in np.percentile(v, [2.5, 97.5])] for k, v in values.items()}


def summarise_faces(results: list[FaceResult], *, rounds: int = 300, seed: int = 0) -> dict[str, object]:
    """All figures, overall and by ITA band (with 95 % intervals), and the photos with no ITA."""
    out: dict[str, object] = {**_figures(results), "intervals_95": _intervals(results, rounds, seed)}
    by_band = {}
    for name, _, _ in (*ITA_BANDS, ("unknown", 0, 0)):
        rs = [r for r in results if ita_band(r.ita_deg) == name]
        if rs:
            by_band[name] = {**_figures(rs), "intervals_95": _intervals(rs, rounds, seed) if len(rs) >= 20 else {}}
    out["by_ita_band"] = by_band
    return out
