"""Lesions to leave alone are marked without colour (issue 32): a dashed ring with a cross on the image, a sign in
the report's table; the marks come from the verdict, never re-derived."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

import comedo
from comedo.explain.lesion_advice import LesionAdvice
from comedo.render.annotate import annotate
from comedo.render.report import report_html


def _with_advice(analysis: comedo.Analysis, ok: bool) -> comedo.Analysis:
    ext = analysis.report.extraction
    lesions = tuple(LesionAdvice(a.number, "ok_with_care" if ok else "do_not_extract", a.code, a.text)
                    for a in ext.lesions)
    return replace(analysis, report=replace(analysis.report, extraction=replace(ext, lesions=lesions)))


def test_rings_of_lesions_to_leave_alone_are_dashed_and_crossed(sample_path) -> None:
    analysis = comedo.analyze(sample_path)
    solid, dashed = annotate(_with_advice(analysis, True)), annotate(_with_advice(analysis, False))
    h = min(solid.shape[0], dashed.shape[0]) - 60
    x, y = (analysis.lesions.centers[0] * solid.shape[1] / analysis.image.width).astype(int)
    r = int(analysis.lesions.radii[0] * solid.shape[1] / analysis.image.width) + 6
    box = (slice(max(0, y - r), min(h, y + r)), slice(max(0, x - r), x + r))
    assert not np.array_equal(solid[box], dashed[box])  # the ring itself differs, colour aside
    gray_solid, gray_dashed = solid[box].mean(axis=2), dashed[box].mean(axis=2)
    assert (gray_dashed > 250).sum() > (gray_solid > 250).sum()  # the cross is white on a dark outline


def test_the_report_table_says_which_lesions_to_leave_alone(sample_path) -> None:
    analysis = comedo.analyze(sample_path)
    html = report_html(analysis)
    assert "<th>extraction</th>" in html
    leave = sum(not a.ok for a in analysis.report.extraction.lesions)
    assert html.count("&#215; leave alone") == leave > 0
    assert "dashed ring with &#215;: do not extract" in html
