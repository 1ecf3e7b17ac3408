"""Detector figures by skin tone: every figure of ``score_run`` for the photos of each ITA band (Del Bino's
bands of the baseline skin's ITA, ``comedo.measure.skin_tone``), with its count and 95 % intervals, so a weaker
band shows instead of hiding in the average."""

from __future__ import annotations

from comedo.measure.skin_tone import ITA_BANDS, ita_band
from comedo.workflows.evaluate import Dataset, DetectorRun, bootstrap_intervals, score_run

__all__ = ["score_by_skin_tone", "MIN_BAND_PHOTOS"]

MIN_BAND_PHOTOS = 20  # intervals and gaps are reported for bands with at least this many photos


def score_by_skin_tone(ds: Dataset, run: DetectorRun, threshold: float | None = None, *,
                       rounds: int = 200) -> dict[str, dict[str, object]]:
    bands = [ita_band(v) for v in run.ita_degs] if run.ita_degs else ["unknown"] * len(ds.files)
    out: dict[str, dict[str, object]] = {}
    for name, _, _ in (*ITA_BANDS, ("unknown", 0, 0)):
        idx = [i for i, b in enumerate(bands) if b == name]
        if not idx:
            continue
        figures = score_run(ds, run, threshold, idx)
        figures.pop("grade_confusion", None)
        if len(idx) >= MIN_BAND_PHOTOS:
            figures["intervals_95"] = bootstrap_intervals(ds, run, threshold, rounds=rounds, indices=idx)
        out[name] = figures
    return out
