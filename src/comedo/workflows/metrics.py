"""Detection and grading metrics, in numpy, shared by `comedo evaluate` and training.

AP follows the COCO definition (101-point interpolated precision at a fixed IoU,
Lin et al. 2014), computed over the whole data set: detections of all images
are ranked together by score.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from comedo.detect.decode import box_iou

__all__ = ["roc_auc", "average_precision", "match_circles", "confusion_matrix", "macro_f1", "bootstrap_macro_f1",
           "group_resamples", "CircleMatch"]


def average_precision(
    predictions: Sequence[tuple[np.ndarray, np.ndarray]],
    truths: Sequence[np.ndarray],
    *,
    iou_threshold: float = 0.5,
) -> float:
    """COCO-style AP at one IoU threshold.

    ``predictions[i]`` is ``(xyxy (n, 4), score (n,))`` for image i and
    ``truths[i]`` its ground-truth boxes (m, 4) xyxy. Returns NaN when there
    is no ground truth at all.
    """
    if len(predictions) != len(truths):
        raise ValueError("predictions and truths must have one entry per image")
    n_truth = int(sum(len(t) for t in truths))
    if n_truth == 0:
        return float("nan")
    scores: list[np.ndarray] = []
    hits: list[np.ndarray] = []
    for (boxes, score), truth in zip(predictions, truths, strict=True):
        order = np.argsort(-score, kind="stable")
        boxes, score = boxes[order], score[order]
        hit = np.zeros(len(score), bool)
        if len(truth) and len(boxes):
            iou = box_iou(boxes, truth)
            taken = np.zeros(len(truth), bool)
            for i in range(len(boxes)):
                cand = np.where(taken, -1.0, iou[i])
                j = int(np.argmax(cand))
                if cand[j] >= iou_threshold:
                    taken[j] = True
                    hit[i] = True
        scores.append(score)
        hits.append(hit)
    all_scores = np.concatenate(scores) if scores else np.zeros(0)
    all_hits = np.concatenate(hits) if hits else np.zeros(0, bool)
    order = np.argsort(-all_scores, kind="stable")
    tp = np.cumsum(all_hits[order])
    fp = np.cumsum(~all_hits[order])
    recall = tp / n_truth
    precision = tp / np.maximum(tp + fp, 1)
    # Monotone precision envelope, then sample at 101 recall points.
    envelope = np.maximum.accumulate(precision[::-1])[::-1] if len(precision) else precision
    ap = 0.0
    for r in np.linspace(0, 1, 101):
        idx = np.searchsorted(recall, r, side="left")
        ap += envelope[idx] if idx < len(envelope) else 0.0
    return float(ap / 101)


@dataclass(frozen=True)
class CircleMatch:
    """Centre-distance matching against point/circle annotations."""

    true_positives: int
    predictions: int
    truths: int

    @property
    def recall(self) -> float:
        return self.true_positives / self.truths if self.truths else float("nan")

    @property
    def precision(self) -> float:
        return self.true_positives / self.predictions if self.predictions else float("nan")


def match_circles(
    centres: np.ndarray, radii: np.ndarray, truth_centres: np.ndarray, truth_radii: np.ndarray,
    *, min_tolerance_px: float = 6.0,
) -> CircleMatch:
    """Greedy one-to-one match of predicted centres to annotated circles.

    A prediction matches a circle when its centre lies within
    ``max(truth_radius, predicted_radius, min_tolerance_px)`` of the circle's
    centre. Closest pairs are matched first.
    """
    centres = np.asarray(centres, np.float32).reshape(-1, 2)
    truth_centres = np.asarray(truth_centres, np.float32).reshape(-1, 2)
    radii = np.asarray(radii, np.float32).reshape(-1)
    truth_radii = np.asarray(truth_radii, np.float32).reshape(-1)
    if len(centres) == 0 or len(truth_centres) == 0:
        return CircleMatch(0, len(centres), len(truth_centres))
    dist = np.linalg.norm(centres[:, None, :] - truth_centres[None, :, :], axis=2)
    tol = np.maximum(np.maximum(truth_radii[None, :], radii[:, None]), min_tolerance_px)
    pairs = np.argwhere(dist <= tol)
    pairs = pairs[np.argsort(dist[pairs[:, 0], pairs[:, 1]], kind="stable")]
    used_p: set[int] = set()
    used_t: set[int] = set()
    for p, t in pairs:
        if p not in used_p and t not in used_t:
            used_p.add(int(p))
            used_t.add(int(t))
    return CircleMatch(len(used_p), len(centres), len(truth_centres))


def confusion_matrix(truth: Sequence[int], predicted: Sequence[int], n_classes: int) -> np.ndarray:
    """(n_classes, n_classes) counts; rows are truth, columns predictions."""
    matrix = np.zeros((n_classes, n_classes), np.int64)
    for t, p in zip(truth, predicted, strict=True):
        matrix[int(t), int(p)] += 1
    return matrix


def macro_f1(matrix: np.ndarray) -> tuple[float, list[float]]:
    """Mean F1 over the classes present in the truth (rows), and the per-class F1."""
    matrix = np.asarray(matrix)
    f1s = []
    for k in range(len(matrix)):
        tp = matrix[k, k]
        p = tp / max(matrix[:, k].sum(), 1)
        r = tp / max(matrix[k].sum(), 1)
        f1s.append(0.0 if p + r == 0 else float(2 * p * r / (p + r)))
    present = [f for k, f in enumerate(f1s) if matrix[k].sum() > 0]
    return (float(np.mean(present)) if present else float("nan")), f1s


def group_resamples(groups: Sequence[str], *, rounds: int, seed: int = 0) -> Iterator[np.ndarray]:
    """Indices of ``rounds`` bootstrap resamples that draw whole groups (the copies of one source photo) with
    replacement, since copies of one photo are not independent evidence. Groups are numbered in order of
    first appearance, so a given seed draws the same resamples for the same data."""
    members: dict[str, list[int]] = {}
    for i, group in enumerate(groups):
        members.setdefault(group, []).append(i)
    index = [np.array(m) for m in members.values()]
    rng = np.random.default_rng(seed)
    for _ in range(rounds):
        yield np.concatenate([index[g] for g in rng.integers(0, len(index), len(index))])


def bootstrap_macro_f1(truth: Sequence[int], predicted: Sequence[int], groups: Sequence[str], n_classes: int, *,
                       rounds: int = 1000, seed: int = 0) -> tuple[float, float]:
    """95 % interval of the macro-F1, resampling whole groups (``group_resamples``)."""
    truth_a, pred_a = np.asarray(truth), np.asarray(predicted)
    values = [macro_f1(confusion_matrix(truth_a[pick], pred_a[pick], n_classes))[0]
              for pick in group_resamples(groups, rounds=rounds, seed=seed)]
    low, high = np.nanpercentile(values, [2.5, 97.5])
    return float(low), float(high)


def roc_auc(scores: Sequence[float], positive: Sequence[bool]) -> float:
    """Area under the ROC curve: the chance that a random positive scores above a random negative, ties
    counting half (the Mann-Whitney U statistic over n_pos * n_neg). NaN when either class is missing."""
    s = np.asarray(scores, np.float64)
    pos = np.asarray(positive, bool)
    n_pos, n_neg = int(pos.sum()), int((~pos).sum())
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    order = np.argsort(s, kind="mergesort")
    ranks = np.empty(len(s), np.float64)
    sorted_s = s[order]
    i = 0
    while i < len(s):  # average ranks over ties
        j = i
        while j + 1 < len(s) and sorted_s[j + 1] == sorted_s[i]:
            j += 1
        ranks[order[i : j + 1]] = (i + j) / 2 + 1
        i = j + 1
    return float((ranks[pos].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))
