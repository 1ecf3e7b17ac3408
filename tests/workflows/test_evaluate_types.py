"""The ring figures of ``comedo evaluate-types``: do a photo's rings say what its label says?"""

from __future__ import annotations

import numpy as np
import pytest

from comedo.classify.lesion_types import TYPE_NAMES
from comedo.workflows.evaluate_types import CloseUpResult, ring_agreement


def _photo(truth: str, rings: tuple[str | None, ...]) -> CloseUpResult:
    return CloseUpResult("p.jpg", TYPE_NAMES.index(truth), "s", np.full(6, 1 / 6, np.float32), None, None,
                         "close_up", False, 0, False, None, rings)


def test_ring_agreement_counts_rings_in_the_labels_group_and_deep_rings_on_comedones() -> None:
    results = [_photo("open_comedo", ("comedonal", "comedonal", "inflamed")),
               _photo("open_comedo", ("inflamed", None)),
               _photo("open_comedo", ("deep", "comedonal")),
               _photo("open_comedo", (None,)),  # no typed ring: left out of the median
               _photo("nodule", ("deep",)),  # a may-be-deep ring counts for a nodule
               _photo("nodule", ("inflamed", "inflamed"))]
    fig = ring_agreement(results)
    blackheads, nodules = fig["open_comedo"], fig["nodule"]
    assert blackheads["photos"] == 4 and blackheads["with_ring_in_group"] == 0.5
    assert blackheads["photos_with_typed_ring"] == 3
    assert blackheads["median_share_in_group"] == pytest.approx(0.5)  # of 2/3, 0, 1/2
    assert blackheads["with_deep_ring"] == 0.25
    assert nodules["with_ring_in_group"] == 0.5 and "with_deep_ring" not in nodules
    assert "papule" not in fig  # no photo of that label
