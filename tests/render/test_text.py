"""Text on images is TrueType: it measures in proportion to its size and draws without changing its input."""

from __future__ import annotations

import numpy as np

from comedo.render.text import TextLayer, text_width


def test_text_scales_and_draws_on_a_copy() -> None:
    assert 1.8 < text_width("12C lesions", 28) / text_width("12C lesions", 14) < 2.2
    image = np.full((40, 160, 3), 255, np.uint8)
    layer = TextLayer()
    layer.add("3B", (10, 30), 20, (0, 114, 178), outline=(0, 0, 0))
    drawn = layer.draw(image)
    assert (image == 255).all() and drawn.shape == image.shape
    ink = (drawn != 255).any(axis=2)
    cols = np.nonzero(ink.any(axis=0))[0]
    assert ink.sum() > 50 and 8 <= cols.min() and cols.max() <= 10 + text_width("3B", 20) + 4
