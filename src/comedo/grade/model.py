"""A learned Hayashi grade from a detector's scores: a multinomial logistic regression on how many lesions
the detector finds at several confidence levels, on the sum of its scores and, for a heatmap detector, on
its heat mass (``comedo.detect.base.Candidates``).

Why not the count alone: on dense faces a detector merges neighbouring lesions and finds the rest only with low
confidence, so its count at the operating threshold saturates (ACNE04's very severe faces: a median of 43 found
against 56 labelled) while the number of weak detections and the score mass go on rising, and so does the heat
the detector spreads where peaks merge. The same features also give an estimate of how many lesions a full count
would find (a median regression of log(1 + labelled count)), reported beside the lesions listed, never in place
of them. The model is fitted on graded, labelled training photos by ``comedo_train.fit_grade_model`` and ships
in the detector's card, since it describes that detector's scores and no other's. Pure numpy: a dot product.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["CountGradeModel", "grade_features"]


def grade_features(scores: np.ndarray, thresholds: tuple[float, ...], heat_mass: float | None = None) -> np.ndarray:
    """log(1 + count) of detections at each threshold, then log(1 + sum of scores at or above the lowest),
    then, when given, log(1 + heat mass)."""
    s = np.asarray(scores, np.float64).ravel()
    s = s[s >= min(thresholds)]
    counts = [(s >= t).sum() for t in thresholds]
    return np.log1p(np.array([*counts, s.sum(), *([] if heat_mass is None else [heat_mass])], np.float64))


@dataclass(frozen=True)
class CountGradeModel:
    """Standardised features -> four logits (mild, moderate, severe, very severe)."""

    thresholds: tuple[float, ...]
    mean: np.ndarray  # (f,)
    scale: np.ndarray  # (f,)
    weights: np.ndarray  # (f + 1, 4): intercepts first
    count_weights: np.ndarray | None = None  # (f + 1,): log(1 + count), intercept first
    heat_mass: bool = False  # whether the last feature is log(1 + the detector's heat mass)

    def __post_init__(self) -> None:
        f = len(self.thresholds) + 1 + int(self.heat_mass)
        if self.mean.shape != (f,) or self.scale.shape != (f,) or self.weights.shape != (f + 1, 4):
            raise ValueError(f"grade model shapes do not match {len(self.thresholds)} thresholds")
        if self.count_weights is not None and self.count_weights.shape != (f + 1,):
            raise ValueError(f"count weights do not match {len(self.thresholds)} thresholds")
        if not np.all(self.scale > 0):
            raise ValueError("grade model scales must be positive")

    @property
    def min_score(self) -> float:
        """The lowest score the model looks at: the detector must report candidates down to it."""
        return float(min(self.thresholds))

    def design(self, features: np.ndarray) -> np.ndarray:
        z = (np.atleast_2d(features) - self.mean) / self.scale
        return np.column_stack([np.ones(len(z)), z])

    def grades_of(self, features: np.ndarray) -> np.ndarray:
        """(n,) most probable grades for the rows of ``features`` (``grade_features`` of n photos)."""
        return (self.design(features) @ self.weights).argmax(axis=1)

    def counts_of(self, features: np.ndarray) -> np.ndarray:
        """(n,) estimated full counts for the rows of ``features``; the model must have a count head."""
        if self.count_weights is None:
            raise ValueError("this grade model has no count head")
        return np.maximum(0, np.round(np.expm1(self.design(features) @ self.count_weights))).astype(int)

    def can_grade(self, heat_mass: float | None) -> bool:
        """Whether this model has the evidence it reads: a model fitted on the heat mass needs one."""
        return heat_mass is not None or not self.heat_mass

    def features(self, scores: np.ndarray, heat_mass: float | None = None) -> np.ndarray:
        """This model's features of one photo's candidate ``scores`` (and heat mass, if it reads one)."""
        if not self.can_grade(heat_mass):
            raise ValueError("this grade model reads the detector's heat mass, and none was given")
        return grade_features(scores, self.thresholds, heat_mass if self.heat_mass else None)

    def probabilities(self, scores: np.ndarray, heat_mass: float | None = None) -> np.ndarray:
        logits = self.design(self.features(scores, heat_mass)) @ self.weights
        e = np.exp(logits - logits.max(axis=1, keepdims=True))
        return (e / e.sum(axis=1, keepdims=True))[0]

    def grade(self, scores: np.ndarray, heat_mass: float | None = None) -> tuple[int, np.ndarray]:
        """The most probable grade 0-3 and the four probabilities."""
        p = self.probabilities(scores, heat_mass)
        return int(np.argmax(p)), p

    def estimated_count(self, scores: np.ndarray, heat_mass: float | None = None) -> int | None:
        """How many lesions a full count would find, or None without a count head."""
        if self.count_weights is None:
            return None
        return int(self.counts_of(self.features(scores, heat_mass))[0])

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CountGradeModel:
        count = data.get("count_weights")
        return cls(tuple(float(t) for t in data["thresholds"]), np.asarray(data["mean"], np.float64),
                   np.asarray(data["scale"], np.float64), np.asarray(data["weights"], np.float64),
                   None if count is None else np.asarray(count, np.float64), bool(data.get("heat_mass", False)))

    def to_dict(self) -> dict[str, Any]:
        out = {"thresholds": list(self.thresholds), "mean": self.mean.round(6).tolist(),
               "scale": self.scale.round(6).tolist(), "weights": self.weights.round(6).tolist()}
        if self.count_weights is not None:
            out["count_weights"] = self.count_weights.round(6).tolist()
        if self.heat_mass:
            out["heat_mass"] = True
        return out
