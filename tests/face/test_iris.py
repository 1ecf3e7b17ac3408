"""The iris scale (comedo.face.iris): the decision on two eyes' iris points drawn by hand, and the bundled sample
(an ACNE04 portrait stretched to 640x640, an eye at the top edge) given no iris scale."""

from __future__ import annotations

import numpy as np
import pytest

from comedo.face.facemap import map_face
from comedo.face.iris import IRIS_MM, iris_decision, iris_scale
from comedo.io import load_image


def _iris(cx: float, cy: float, across: float, down: float) -> np.ndarray:
    """(5, 2) centre, left, top, right, bottom."""
    return np.array([[cx, cy], [cx - across / 2, cy], [cx, cy - down / 2], [cx + across / 2, cy],
                     [cx, cy + down / 2]])


def test_two_round_irises_that_agree_give_the_scale() -> None:
    found, reason = iris_decision(_iris(100, 200, 20, 19.4), _iris(208, 202, 19.6, 19.0))
    assert found is not None, reason
    mean = (19.7 + 19.3) / 2
    assert found.mm_per_px == pytest.approx(IRIS_MM / mean, rel=1e-3)
    assert found.evidence["interpupillary_mm"] == pytest.approx(np.hypot(108, 2) * IRIS_MM / mean, abs=0.1)
    assert 5.0 < found.uncertainty_pct < 8.0  # population 3.6 %, depth 5 %, the eyes' gap


@pytest.mark.parametrize(("second", "why"), [
    (_iris(208, 200, 26.0, 25.5), "differ"),  # a turned head: one iris much larger
    (_iris(208, 200, 20.0, 14.0), "not round"),  # a stretched photo
    (_iris(150, 200, 20.0, 19.5), "not an adult"),  # centres 50 px apart: 29 mm at this scale
])
def test_untrusted_irises_give_no_scale(second: np.ndarray, why: str) -> None:
    found, reason = iris_decision(_iris(100, 200, 20, 19.5), second)
    assert found is None and why in reason


def test_the_stretched_sample_gets_no_iris_scale(sample_path) -> None:
    rgb = load_image(sample_path).pixels
    face = map_face(rgb, np.ones(rgb.shape[:2], bool), close_up=False)
    assert face.found
    found, reason = iris_scale(rgb, face.mesh)
    assert found is None and reason


def test_irises_too_small_to_measure_to_five_percent_give_no_scale() -> None:
    """Under 10 px across, half a pixel at each edge is more than 5 % of the two eyes' mean: no scale, and why."""
    found, reason = iris_decision(_iris(100, 200, 8.0, 7.8), _iris(143, 200, 8.2, 7.9))
    assert found is None and "too small" in reason
    found, _ = iris_decision(_iris(100, 200, 11.0, 10.8), _iris(159, 200, 11.2, 10.9))
    assert found is not None and found.uncertainty_pct > 7.0  # the edge term grows as the iris shrinks
