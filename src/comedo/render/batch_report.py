"""The batch summary page: counts, the grade distribution and the lesion-count histogram (bar charts drawn with
matplotlib through ``comedo.render.figures``, inlined), and the list of failed files; the page is the Jinja2
template ``templates/batch.html.j2`` (autoescaped)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np

__all__ = ["batch_summary_html", "bar_chart", "COUNT_BINS"]

# Lesions per photo, in the bands a reader compares (Hayashi's cut-offs fall on 5, 20 and 50).
COUNT_BINS = ((0, 1, "0"), (1, 3, "1-2"), (3, 6, "3-5"), (6, 11, "6-10"), (11, 21, "11-20"), (21, 36, "21-35"),
              (36, 51, "36-50"), (51, 10**9, ">50"))


def bar_chart(labels: list[str], values: list[int], title: str, *, width: int = 640, height: int = 260) -> np.ndarray:
    """RGB uint8 (height, width, 3): one bar per label with its count written on it, integer ticks."""
    from matplotlib.ticker import MaxNLocator

    from comedo.render.figures import figure_rgb, new_figure

    fig = new_figure(width, height)
    axis = fig.subplots()
    bars = axis.bar(labels, values, color="#0072B2")
    axis.bar_label(bars, fontsize=8)
    axis.set_title(title, fontsize=10, loc="left")
    axis.yaxis.set_major_locator(MaxNLocator(integer=True))
    axis.set_ylim(0, max(max(values, default=0), 1) * 1.15)
    axis.tick_params(labelsize=8)
    axis.grid(True, axis="y", color="#eeeeee", linewidth=0.8)
    axis.set_axisbelow(True)
    return figure_rgb(fig)


def batch_summary_html(rows: list[dict[str, Any]]) -> str:
    """The summary of a batch's rows (those of ``batch.csv``: an ``error`` for a photo that failed)."""
    from comedo.grade.scales import HAYASHI_LABELS
    from comedo.render.html_templates import render, stylesheet
    from comedo.render.images import data_uri, png_bytes

    ok = [r for r in rows if not r.get("error")]
    failed = [r for r in rows if r.get("error")]
    grades = Counter(int(r["hayashi_grade"]) for r in ok if r["hayashi_grade"] not in (None, ""))  # close-ups: none
    ungraded = len(ok) - sum(grades.values())
    grade_png = png_bytes(bar_chart([g.replace("_", " ") for g in HAYASHI_LABELS],
                                    [grades.get(g, 0) for g in range(4)], "Hayashi grade (faces)"))
    hist = [sum(1 for r in ok if lo <= int(r["lesions"]) < hi) for lo, hi, _ in COUNT_BINS]
    hist_png = png_bytes(bar_chart([name for _, _, name in COUNT_BINS], hist, "lesions per photo"))
    levels = sorted(Counter(str(r.get("triage_level") or "none") for r in ok).items())
    return render("batch.html.j2", css=stylesheet(), ok=len(ok), failed=failed, ungraded=ungraded, levels=levels,
                  grade_uri=data_uri(grade_png, "image/png"), hist_uri=data_uri(hist_png, "image/png"))
