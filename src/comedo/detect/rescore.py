"""Re-scoring a face photo's lesion candidates with what the heatmap peak alone does not know.

The detector scores each heatmap peak on its own. Whether a candidate is a labelled lesion also depends on
its context: a box far larger or smaller than the photo's other lesions is often a merged cluster or a pore,
a candidate in a crowd of others is often a duplicate, and the same score means more on a face with many
clear lesions than on clear skin. A logistic regression on those features (and their squares), fitted on
ACNE04 train candidates matched to labelled boxes at IoU 0.5 by ``comedo_train.fit_rescorer``, turns the
score into the probability of such a match. Used on wider views only, where it was fitted; pure numpy.

Not shipped (docs/performance.md): with it, the grade model re-fitted on its scores did worse. A known gap of
the option: a card with a rescorer carries a threshold on the rescorer's scale, which close-ups, keeping their
raw scores, would then be listed at as well.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["CandidateRescorer", "candidate_features", "FEATURE_NAMES"]

FEATURE_NAMES = ("score_logit", "log_side", "log_aspect", "log_side_vs_median", "log1p_neighbours",
                 "log1p_count_confident", "log1p_count_all", "score_vs_best", "abs_log_side_vs_median")


def candidate_features(xyxy: np.ndarray, scores: np.ndarray, *, confident: float, sized_from: float) -> np.ndarray:
    """(n, 9) features of one photo's candidates, boxes in the detector's input pixels (see FEATURE_NAMES).

    ``confident`` is the score counted as a clear lesion; the photo's typical lesion size is the median
    side of candidates scoring at least ``sized_from`` (of all, when none does)."""
    n = len(scores)
    if n == 0:
        return np.zeros((0, len(FEATURE_NAMES)))
    b = np.asarray(xyxy, np.float64)
    s = np.clip(np.asarray(scores, np.float64), 1e-3, 1 - 1e-3)
    w = np.maximum(b[:, 2] - b[:, 0], 1e-3)
    h = np.maximum(b[:, 3] - b[:, 1], 1e-3)
    side = np.maximum(w, h)
    cx, cy = (b[:, 0] + b[:, 2]) / 2, (b[:, 1] + b[:, 3]) / 2
    distance = np.hypot(cx[:, None] - cx[None], cy[:, None] - cy[None])
    neighbours = ((distance < 1.5 * side[:, None]) & (distance > 0)).sum(axis=1)
    sized = scores >= sized_from
    typical = float(np.median(side[sized] if sized.any() else side))
    ratio = np.log(side / typical)
    return np.column_stack([np.log(s / (1 - s)), np.log(side), np.log(w / h), ratio, np.log1p(neighbours),
                            np.full(n, np.log1p((scores >= confident).sum())), np.full(n, np.log1p(n)),
                            s / s.max(), np.abs(ratio)])


@dataclass(frozen=True)
class CandidateRescorer:
    """Standardised features and their squares -> logit of a match to a labelled lesion."""

    confident: float
    sized_from: float
    min_score: float  # candidates are read down to this score
    mean: np.ndarray  # (9,)
    scale: np.ndarray  # (9,)
    weights: np.ndarray  # (19,): intercept, 9 linear, 9 squared

    def __post_init__(self) -> None:
        f = len(FEATURE_NAMES)
        if self.mean.shape != (f,) or self.scale.shape != (f,) or self.weights.shape != (2 * f + 1,):
            raise ValueError(f"rescorer shapes do not match its {f} features")
        if not np.all(self.scale > 0):
            raise ValueError("rescorer scales must be positive")

    def design(self, features: np.ndarray) -> np.ndarray:
        z = (features - self.mean) / self.scale
        return np.column_stack([np.ones(len(z)), z, z**2])

    def rescore(self, xyxy: np.ndarray, scores: np.ndarray) -> np.ndarray:
        """New scores in [0, 1] for one photo's candidates (all of them down to ``min_score``)."""
        if len(scores) == 0:
            return np.zeros(0, np.float32)
        features = candidate_features(xyxy, scores, confident=self.confident, sized_from=self.sized_from)
        return (1 / (1 + np.exp(-(self.design(features) @ self.weights)))).astype(np.float32)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CandidateRescorer:
        return cls(float(data["confident"]), float(data["sized_from"]), float(data["min_score"]),
                   np.asarray(data["mean"], np.float64), np.asarray(data["scale"], np.float64),
                   np.asarray(data["weights"], np.float64))

    def to_dict(self) -> dict[str, Any]:
        return {"features": list(FEATURE_NAMES), "confident": self.confident, "sized_from": self.sized_from,
                "min_score": self.min_score, "mean": self.mean.round(6).tolist(),
                "scale": self.scale.round(6).tolist(), "weights": self.weights.round(6).tolist()}
