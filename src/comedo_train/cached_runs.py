"""A detector's run through the ``analyze`` pipeline on a data set, cached on disk.

Fitting the grade model or the rescorer, and comparing with ACNE04's raters, each read every photo's
candidates and heat mass; on ACNE04 train that run takes about five minutes, a re-fit from the cache seconds.
The cache is used only when it holds the same photos in the same order and every figure the fits read, so a
changed data set, or a cache written before a figure was recorded, is run again.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import numpy as np

from comedo.detect.base import LesionDetector
from comedo.workflows.evaluate import Dataset, run_detector

__all__ = ["CachedRun", "cached_predictions"]


class CachedRun(NamedTuple):
    """Per photo: candidates (boxes in the photo's pixels, scores) and the detector's heat mass (None
    without a heatmap)."""

    predictions: list[tuple[np.ndarray, np.ndarray]]
    heat_masses: list[float | None]


def cached_predictions(ds: Dataset, cache: Path, detector: Callable[[], LesionDetector]) -> CachedRun:
    """Each photo's candidates down to the evaluation floor and heat mass, from ``cache`` or from a run of
    ``detector()`` (built only when the cache misses), which is then cached."""
    if cache.is_file():
        stored = np.load(cache, allow_pickle=True)
        if {"boxes", "heat_mass"} <= set(stored.files) and \
                [str(f) for f in stored["files"]] == [str(f) for f in ds.files]:
            masses = [None if np.isnan(m) else float(m) for m in stored["heat_mass"]]
            return CachedRun(list(zip(stored["boxes"], stored["scores"], strict=True)), masses)
    run = run_detector(ds, detector(),
                       progress=lambda i, n: print(f"{ds.root.name}: {i}/{n}", flush=True) if i % 500 == 0 else None)
    cache.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(cache, files=np.array([str(f) for f in ds.files]),
                        boxes=_objects([b for b, _ in run.predictions]),
                        scores=_objects([s for _, s in run.predictions]),
                        heat_mass=np.array([np.nan if m is None else m for m in run.heat_masses], np.float64))
    return CachedRun(run.predictions, run.heat_masses)


def _objects(arrays: list[np.ndarray]) -> np.ndarray:
    """A 1-D object array of ``arrays`` (``np.array`` would stack them when they happen to share a shape)."""
    out = np.empty(len(arrays), dtype=object)
    for i, a in enumerate(arrays):
        out[i] = a
    return out
