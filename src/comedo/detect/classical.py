"""Classical lesion-candidate detector: scale-space blobs of excess redness.

Kept as the documented baseline the learned detector is compared against
(`comedo evaluate`). Inflamed acne lesions are compact regions redder than the
surrounding skin, so we look for blobs in the Delta a* map (a* minus the
skin's median) with a scale-normalised difference of Gaussians
(Lindeberg, IJCV 30:79-116, 1998; Lowe, IJCV 60:91-110, 2004): the scale of
the strongest response gives the radius (r = sqrt(2) sigma).
Score = logistic((DoG response in Delta a* - 2) / 0.5); box radius 2 sqrt(2) sigma,
because annotators box the red halo, about twice the DoG radius (measured on ACNE04 valid).
"""

from __future__ import annotations

import cv2
import numpy as np

from comedo.detect.base import Candidates
from comedo.grade.scales import HAYASHI_UPPER
from comedo.lesions import Lesions
from comedo.measure.colour import ColourPlanes

__all__ = ["ClassicalDetector"]


class ClassicalDetector:
    name = "classical-dog"
    default_min_score = 0.4  # lowest count MAE on a quarter of ACNE04 valid
    hayashi_upper = HAYASHI_UPPER
    grade_model = None

    @property
    def identity(self) -> dict[str, str]:
        return {"name": self.name, "sha256": "n/a (no weights)"}

    def detect(self, rgb: np.ndarray, planes: ColourPlanes, skin: np.ndarray, *, min_score: float,
               close_up: bool = False) -> Candidates:
        h, w = skin.shape
        if skin.sum() < 100:
            return Candidates(Lesions.empty())
        a = planes.a_star
        baseline = float(np.median(a[skin]))
        delta = np.where(skin, np.clip(a - baseline, 0, None), 0).astype(np.float32)
        short = min(h, w)
        r_min, r_max = max(3.0, short * 0.01), max(8.0, short * 0.05)
        sigmas = np.geomspace(r_min / np.sqrt(2), r_max / np.sqrt(2), 6)
        responses = []
        for s in sigmas:
            g1 = cv2.GaussianBlur(delta, (0, 0), float(s))
            g2 = cv2.GaussianBlur(delta, (0, 0), float(s * 1.6))
            responses.append(g1 - g2)
        stack = np.stack(responses)
        best = stack.argmax(axis=0)
        response = stack.max(axis=0)
        win = int(2 * round(r_min) + 1)
        peaks = (response >= cv2.dilate(response, np.ones((win, win), np.uint8))) & (response > 0.5) & skin
        rows, cols = np.nonzero(peaks)
        if rows.size == 0:
            return Candidates(Lesions.empty())
        radius = sigmas[best[rows, cols]] * 2.0 * np.sqrt(2)  # the red halo annotators box is ~2x the DoG radius
        contrast = response[rows, cols]
        score = 1 / (1 + np.exp(-(contrast - 2.0) / 0.5))
        keep = score >= min_score
        rows, cols, radius, score = rows[keep], cols[keep], radius[keep], score[keep]
        order = np.argsort(-score, kind="stable")
        rows, cols, radius, score = rows[order], cols[order], radius[order], score[order]
        # Suppress weaker blobs whose centre lies inside a stronger one.
        chosen: list[int] = []
        for i in range(len(rows)):
            if all((cols[i] - cols[j]) ** 2 + (rows[i] - rows[j]) ** 2 > (0.4 * radius[j]) ** 2 for j in chosen):
                chosen.append(i)
        idx = np.asarray(chosen, int)
        x, y, r = cols[idx].astype(np.float32), rows[idx].astype(np.float32), radius[idx].astype(np.float32)
        xyxy = np.stack([x - r, y - r, x + r, y + r], axis=1)
        return Candidates(Lesions(xyxy, score[idx].astype(np.float32)))
