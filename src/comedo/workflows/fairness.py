"""Detector figures by skin tone: every figure of ``score_run`` for the photos of each ITA band (Del Bino's
bands of the baseline skin's ITA, ``comedo.measure.skin_tone``), with its count and 95 % intervals, so a weaker
band shows instead of hiding in the average.

A band's grade accuracy mixes two things: how well each grade is read, and how many photos of each grade the
band holds (severe faces are the hardest grade for every band). Each band also gets its grade mix and its grade
accuracy *standardised* to the whole set's grade mix (direct standardisation, as epidemiology compares rates of
populations of different age mix): the per-grade accuracies of the band weighted by the set's share of each grade,
so two bands compare as if they held faces of the same severity."""

from __future__ import annotations

import numpy as np

from comedo.measure.skin_tone import ITA_BANDS, ita_band
from comedo.workflows.evaluate import Dataset, DetectorRun, bootstrap_intervals, score_run
from comedo.workflows.metrics import group_resamples

__all__ = ["score_by_skin_tone", "standardised_accuracy", "MIN_BAND_PHOTOS"]

MIN_BAND_PHOTOS = 20  # intervals and gaps are reported for bands with at least this many photos
SEVERE = 2  # Hayashi grades 2 (severe) and 3 (very severe)


def standardised_accuracy(truth: np.ndarray, predicted: np.ndarray, weights: np.ndarray) -> float | None:
    """Per-grade accuracy weighted by ``weights`` (the reference share of each grade), over the grades present
    in ``truth``, the weights renormalised to them; None without graded photos."""
    present = [g for g in range(len(weights)) if (truth == g).any() and weights[g] > 0]
    if not present:
        return None
    w = np.array([weights[g] for g in present], float)
    acc = np.array([np.mean(predicted[truth == g] == g) for g in present])
    return float((w * acc).sum() / w.sum())


def score_by_skin_tone(ds: Dataset, run: DetectorRun, threshold: float | None = None, *,
                       rounds: int = 200) -> dict[str, dict[str, object]]:
    bands = [ita_band(v) for v in run.ita_degs] if run.ita_degs else ["unknown"] * len(ds.files)
    thr = run.operating_threshold if threshold is None else threshold
    graded = np.array([g is not None for g in ds.grades])
    truth_all = np.array([-1 if g is None else g for g in ds.grades], int)
    predicted_all = run.grades(thr)
    mix = np.bincount(truth_all[graded], minlength=4)[:4] / max(int(graded.sum()), 1)
    out: dict[str, dict[str, object]] = {}
    for name, _, _ in (*ITA_BANDS, ("unknown", 0, 0)):
        idx = [i for i, b in enumerate(bands) if b == name]
        if not idx:
            continue
        figures = score_run(ds, run, threshold, idx)
        figures.pop("grade_confusion", None)
        chosen = np.array([i for i in idx if graded[i]], int)
        if chosen.size:
            truth, predicted = truth_all[chosen], predicted_all[chosen]
            figures["grade_mix"] = np.bincount(truth, minlength=4)[:4].tolist()
            figures["severe_share"] = round(float(np.mean(truth >= SEVERE)), 3)
            value = standardised_accuracy(truth, predicted, mix)
            figures["grade_accuracy_standardised"] = None if value is None else round(value, 4)
        if len(idx) >= MIN_BAND_PHOTOS:
            figures["intervals_95"] = bootstrap_intervals(ds, run, threshold, rounds=rounds, indices=idx)
            if chosen.size:
                draws = [standardised_accuracy(truth_all[chosen[d]], predicted_all[chosen[d]], mix)
                         for d in group_resamples([ds.sources[i] for i in chosen], rounds=rounds)]
                kept = [v for v in draws if v is not None]
                figures["intervals_95"]["grade_accuracy_standardised"] = [
                    round(float(v), 3) for v in np.percentile(kept, [2.5, 97.5])]
        out[name] = figures
    return out
