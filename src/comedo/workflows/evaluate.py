"""Detector evaluation on a COCO-format data set (``annotations.json``, optional
``circles.json``), through the full ``analyze`` pipeline so the figures are
those a user gets.

Figures: AP50 on boxes (COCO 101-point), count MAE at the operating
threshold, Hayashi grade accuracy with its confusion matrix (when images carry
a ``grade``), and centre-match recall/precision against circle annotations.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from comedo.detect.base import LesionDetector
from comedo.errors import InvalidInputError
from comedo.grade.scales import HAYASHI_UPPER, hayashi_grade
from comedo.workflows.metrics import (
    average_precision,
    confusion_matrix,
    group_resamples,
    match_circles,
)

__all__ = ["Dataset", "load_dataset", "DetectorRun", "run_detector", "score_run", "bootstrap_intervals",
           "EVAL_MIN_SCORE", "best_count_threshold", "grades_on_grid", "fit_hayashi_cutoffs"]

EVAL_MIN_SCORE = 0.05


@dataclass
class Dataset:
    root: Path
    files: list[Path]
    boxes: list[np.ndarray]  # xyxy per image
    grades: list[int | None]
    sources: list[str]
    circles: list[np.ndarray | None] = field(default_factory=list)  # (m, 3) x, y, r per image or None


def load_dataset(root: Path) -> Dataset:
    """Read ``root/annotations.json`` (COCO, images under ``root/images`` or ``root``)."""
    ann_path = root / "annotations.json"
    if not ann_path.is_file():
        raise InvalidInputError(f"{root}: no annotations.json (COCO format) found")
    by_image: dict[int, list[list[float]]] = {}
    try:
        coco = json.loads(ann_path.read_text())
        images = sorted(coco["images"], key=lambda i: i["id"])
        for ann in coco.get("annotations", []):
            x, y, w, h = (float(v) for v in ann["bbox"])
            by_image.setdefault(ann["image_id"], []).append([x, y, x + w, y + h])
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise InvalidInputError(f"{ann_path}: not a COCO annotation file ({type(exc).__name__}: {exc})") from None
    circles_by: dict[int, list[list[float]]] | None = None
    if (root / "circles.json").is_file():
        circles_by = {}
        for c in json.loads((root / "circles.json").read_text())["circles"]:
            circles_by.setdefault(c["image_id"], []).append([*c["center"], c["radius"]])
    image_dir = root / "images" if (root / "images").is_dir() else root
    ds = Dataset(root, [], [], [], [], [])
    for info in images:
        ds.files.append(image_dir / info["file_name"])
        ds.boxes.append(np.asarray(by_image.get(info["id"], []), np.float32).reshape(-1, 4))
        ds.grades.append(int(info["grade"]) if "grade" in info else None)
        ds.sources.append(str(info.get("source", info["file_name"])))
        if circles_by is not None and info["id"] in circles_by:
            ds.circles.append(np.asarray(circles_by[info["id"]], np.float32).reshape(-1, 3))
        else:
            ds.circles.append(None)
    return ds


@dataclass
class DetectorRun:
    """Per-image detections at ``EVAL_MIN_SCORE``; thresholds are applied later."""

    detector: str
    operating_threshold: float
    predictions: list[tuple[np.ndarray, np.ndarray]]
    mean_ms: float
    hayashi_upper: tuple[int, int, int] = HAYASHI_UPPER
    # Per photo, as ``analyze`` gave them: the grade model's grade and full-count estimate, None where the photo
    # was graded by its count (no grade model, or a close-up). They do not depend on the count threshold.
    model_grades: list[int | None] = field(default_factory=list)
    model_estimates: list[int | None] = field(default_factory=list)
    # Per photo, the detector's heat mass (``comedo.detect.base.Candidates``); None without a heatmap.
    heat_masses: list[float | None] = field(default_factory=list)
    ita_degs: list[float | None] = field(default_factory=list)  # per photo, the baseline skin's ITA (skin tone)

    @property
    def uses_grade_model(self) -> bool:
        return any(g is not None for g in self.model_grades)

    def counts(self, threshold: float) -> np.ndarray:
        """Each photo's number of lesions listed at ``threshold``."""
        return np.array([int((s >= threshold).sum()) for _, s in self.predictions])

    def count_grades(self, threshold: float) -> np.ndarray:
        """Each photo's Hayashi band of its count at ``threshold``."""
        return np.array([hayashi_grade(int(c), self.hayashi_upper) for c in self.counts(threshold)])

    def grades(self, threshold: float) -> np.ndarray:
        """Each photo's Hayashi grade as ``analyze`` gives it: the grade model's where it graded the photo,
        else the band of the count at ``threshold``."""
        by_count = self.count_grades(threshold)
        if not self.model_grades:
            return by_count
        return np.array([c if g is None else g for c, g in zip(by_count, self.model_grades, strict=True)])

    def estimated_counts(self) -> np.ndarray | None:
        """Each photo's estimated full count (the count at the operating threshold where there is none), or
        None when no photo has an estimate."""
        if not any(e is not None for e in self.model_estimates):
            return None
        counts = self.counts(self.operating_threshold)
        return np.array([c if e is None else e for c, e in zip(counts, self.model_estimates, strict=True)])


def run_detector(ds: Dataset, detector: str | LesionDetector, *,
                 progress: Callable[[int, int], None] | None = None) -> DetectorRun:
    import time

    from comedo.detect.registry import get_detector
    from comedo.pipeline import analyze

    det = get_detector(detector) if isinstance(detector, str) else detector
    preds, model_grades, model_estimates, heat_masses, itas = [], [], [], [], []
    start = time.perf_counter()
    grade_model = getattr(det, "grade_model", None)
    floor = min(EVAL_MIN_SCORE, det.default_min_score, grade_model.min_score if grade_model else 1.0)
    for i, path in enumerate(ds.files):
        analysis = analyze(path, detector=det, min_score=floor)
        preds.append((analysis.lesions.xyxy, analysis.lesions.score))
        modelled = analysis.severity.hayashi_method == "grade_model"
        model_grades.append(analysis.severity.hayashi_grade if modelled else None)
        model_estimates.append(analysis.severity.estimated_lesion_count if modelled else None)
        heat_masses.append(analysis.severity.heat_mass)
        itas.append(float(analysis.redness.ita_deg) if np.isfinite(analysis.redness.ita_deg) else None)
        if progress:
            progress(i + 1, len(ds.files))
    mean_ms = (time.perf_counter() - start) * 1000 / max(len(ds.files), 1)
    return DetectorRun(det.name, det.default_min_score, preds, mean_ms, det.hayashi_upper, model_grades,
                       model_estimates, heat_masses, itas)


def score_run(ds: Dataset, run: DetectorRun, threshold: float | None = None,
              indices: list[int] | None = None) -> dict[str, object]:
    """All figures for ``run`` at ``threshold`` (default: its operating threshold)."""
    thr = run.operating_threshold if threshold is None else threshold
    idx = list(range(len(ds.files))) if indices is None else indices
    preds = [run.predictions[i] for i in idx]
    truths = [ds.boxes[i] for i in idx]
    ap50 = average_precision(preds, truths, iou_threshold=0.5)
    counts = run.counts(thr)[idx]
    true_counts = np.array([len(t) for t in truths])
    out: dict[str, object] = {
        "detector": run.detector,
        "threshold": round(thr, 3),
        "images": len(idx),
        "ap50": round(ap50, 4),
        "count_mae": round(float(np.abs(counts - true_counts).mean()), 3),
        "mean_ms_per_image": round(run.mean_ms, 1),
    }
    estimated = run.estimated_counts()
    if estimated is not None:
        out["estimated_count_mae"] = round(float(np.abs(estimated[idx] - true_counts).mean()), 3)
    graded = [i for i in idx if ds.grades[i] is not None]
    if graded:
        truth = np.array([ds.grades[i] for i in graded], int)
        predicted = run.grades(thr)[graded]
        out["grade_accuracy"] = round(float(np.mean(truth == predicted)), 4)
        out["grade_method"] = "grade model" if run.uses_grade_model else "count"
        if run.uses_grade_model:
            out["grade_accuracy_count"] = round(float(np.mean(truth == run.count_grades(thr)[graded])), 4)
        out["hayashi_cutoffs"] = "/".join(str(v) for v in run.hayashi_upper)
        out["grade_confusion"] = confusion_matrix(truth.tolist(), predicted.tolist(), 4).tolist()
    tp = n_pred = n_truth = 0
    for k, i in enumerate(idx):
        circles = ds.circles[i]
        if circles is None:
            continue
        boxes, scores = preds[k]
        keep = scores >= thr
        centres = (boxes[keep, :2] + boxes[keep, 2:]) / 2
        radii = (boxes[keep, 2:] - boxes[keep, :2]).mean(axis=1) / 2
        m = match_circles(centres, radii, circles[:, :2], circles[:, 2])
        tp, n_pred, n_truth = tp + m.true_positives, n_pred + m.predictions, n_truth + m.truths
    if n_truth:
        out["circles_recall"] = round(tp / n_truth, 4)
        out["circles_precision"] = round(tp / n_pred, 4) if n_pred else None
    return out


def bootstrap_intervals(ds: Dataset, run: DetectorRun, threshold: float | None = None, *, rounds: int = 300,
                        seed: int = 0, indices: list[int] | None = None) -> dict[str, list[float]]:
    """95 % intervals of AP50, count MAE and grade accuracy, resampling source photos (``ds.sources``: the
    copies of one photo go together): how much the figures would move on another draw of photos like these.
    ``indices`` restricts it to those photos (one skin-tone band, say)."""
    thr = run.operating_threshold if threshold is None else threshold
    true_counts = np.array([len(t) for t in ds.boxes])
    errors = np.abs(run.counts(thr) - true_counts)
    estimated = run.estimated_counts()
    graded = np.array([g is not None for g in ds.grades])
    right = np.array([g is not None and p == g for p, g in zip(run.grades(thr), ds.grades, strict=True)])
    values: dict[str, list[float]] = {"ap50": [], "count_mae": [], "grade_accuracy": []}
    chosen = np.arange(len(ds.files)) if indices is None else np.asarray(indices, int)
    for drawn in group_resamples([ds.sources[i] for i in chosen], rounds=rounds, seed=seed):
        idx = chosen[drawn]
        values["ap50"].append(average_precision([run.predictions[i] for i in idx], [ds.boxes[i] for i in idx],
                                                iou_threshold=0.5))
        values["count_mae"].append(float(errors[idx].mean()))
        if estimated is not None:
            values.setdefault("estimated_count_mae", []).append(float(np.abs(estimated - true_counts)[idx].mean()))
        if graded[idx].any():
            values["grade_accuracy"].append(float(right[idx][graded[idx]].mean()))
    return {k: [round(float(v), 3) for v in np.percentile(x, [2.5, 97.5])] for k, x in values.items() if x}


def best_count_threshold(ds: Dataset, run: DetectorRun, indices: list[int] | None = None,
                         grid: np.ndarray | None = None) -> float:
    """The threshold with the lowest count MAE on ``indices`` (ties: higher grade accuracy, then the lower
    threshold). The figures are rounded as ``score_run`` reports them, so a tie is one a reader would see; only
    they are computed, not AP50 and the circles, which do not depend on the threshold."""
    grid = np.round(np.arange(0.10, 0.71, 0.01), 2) if grid is None else grid
    idx = list(range(len(ds.files))) if indices is None else indices
    true_counts = np.array([len(ds.boxes[i]) for i in idx])
    graded = [i for i in idx if ds.grades[i] is not None]
    truth = np.array([ds.grades[i] for i in graded], int)
    best: tuple[float, float, float] | None = None
    for thr in (float(t) for t in grid):
        mae = round(float(np.abs(run.counts(thr)[idx] - true_counts).mean()), 3)
        accuracy = round(float(np.mean(run.grades(thr)[graded] == truth)), 4) if graded else 0.0
        key = (mae, -accuracy, thr)
        if best is None or key < best:
            best = key
    return best[2] if best is not None else run.operating_threshold


def grades_on_grid(counts: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """``hayashi_grade`` of every count under every row of ``grid`` (cut-offs: the largest count of grades
    0, 1 and 2) at once: (len(grid), len(counts))."""
    c = np.asarray(counts)[None, :]
    return (c > grid[:, 0:1]).astype(np.int8) + (c > grid[:, 1:2]) + (c > grid[:, 2:3])


def fit_hayashi_cutoffs(counts: np.ndarray, grades: np.ndarray, *, folds: int = 5, repeats: int = 5,
                        min_gain: float = 0.01, data_name: str = "the given photos") -> dict:
    """Count cut-offs (largest count of grades 0, 1, 2) that best turn this
    detector's counts into the reference grades, with an honest estimate.

    The detector under-counts dense faces, so Hayashi's 5/20/50 applied to its
    count grades severe faces too low. Cut-offs are searched on a grid (ties go
    to those nearest Hayashi's); ``repeats`` x ``folds`` cross-validation by
    photo says how they do on photos they were not fitted on. They ship only
    when that beats Hayashi's own cut-offs by ``min_gain``.
    """
    grid = np.array([(a, b, d) for a in range(3, 10) for b in range(12, 30) for d in range(28, 70)])
    correct = grades_on_grid(counts, grid) == grades[None, :]
    nearness = -np.abs(grid - np.array(HAYASHI_UPPER)).sum(axis=1) * 1e-6

    def best(idx: np.ndarray) -> int:
        return int(np.argmax(correct[:, idx].mean(axis=1) + nearness))

    hayashi = int(np.flatnonzero((grid == np.array(HAYASHI_UPPER)).all(axis=1))[0])
    cv = []
    for seed in range(repeats):
        fold = np.random.default_rng(seed).permutation(len(counts)) % folds
        hits = sum(int(correct[best(np.flatnonzero(fold != f)), fold == f].sum()) for f in range(folds))
        cv.append(hits / len(counts))
    fitted = grid[best(np.arange(len(counts)))]
    cv_accuracy, hayashi_accuracy = float(np.mean(cv)), float(correct[hayashi].mean())
    return {"fitted": [int(v) for v in fitted], "cv_accuracy": round(cv_accuracy, 4),
            "cv_accuracy_per_repeat": [round(v, 4) for v in cv], "hayashi_accuracy": round(hayashi_accuracy, 4),
            "photos": int(len(counts)), "ship": cv_accuracy >= hayashi_accuracy + min_gain,
            "method": f"{repeats} x {folds}-fold cross-validation by photo on the grades of {data_name}"}
