"""Quality flags on real photos: a black-and-white copy of the sample says it has no colour, is not graded, and
does not tell the person to frame the skin closer; the colour original is graded."""

from __future__ import annotations

import numpy as np

import comedo
from comedo.io import load_image
from comedo.schema import to_document


def test_a_black_and_white_photo_is_flagged_and_not_graded(sample_path) -> None:
    rgb = load_image(sample_path).pixels
    grey = np.repeat(rgb.mean(axis=2, keepdims=True).astype(np.uint8), 3, axis=2)
    analysis = comedo.analyze(grey)
    doc = to_document(analysis).model_dump(mode="json")
    assert "no_colour" in doc["quality"]["flags"] and "too_little_skin" not in doc["quality"]["flags"]
    assert any("no colour" in h for h in doc["quality"]["hints"])
    sev = doc["severity"]
    assert sev["not_graded"]["code"] == "no_colour" and sev["hayashi"] is None and sev["gags"] is None
    assert "does not mean there are none" in doc["description"]["text"]
    from comedo.cli.analyze_cmd import summary_line
    from comedo.render.report import report_html

    assert "(no colour: not graded)" in summary_line(analysis)
    assert "no colour: not graded" in report_html(analysis, doc)
    colour = to_document(comedo.analyze(sample_path)).model_dump(mode="json")
    assert "no_colour" not in colour["quality"]["flags"] and colour["severity"]["hayashi"] is not None
