"""Threshold cross-validation folds keep each source photo's copies together and cover every photo once."""

from __future__ import annotations

from comedo_train.calibrate_threshold import folds_by_source


def test_folds_by_source() -> None:
    sources = [f"s{i // 3}" for i in range(30)]  # ten source photos, three copies each
    folds = folds_by_source(sources, 5)
    assert sorted(i for f in folds for i in f) == list(range(30))
    for fold in folds:
        assert len({sources[i] for i in fold}) == 2 and len(fold) == 6
