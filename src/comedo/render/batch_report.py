"""The batch summary page: counts, grade distribution and lesion-count histogram
(bar charts drawn with OpenCV and inlined), and the list of failed files."""

from __future__ import annotations

import html
from collections import Counter
from typing import Any

import cv2
import numpy as np

__all__ = ["batch_summary_html", "bar_chart"]


def bar_chart(labels: list[str], values: list[int], title: str, *, width: int = 640, height: int = 260) -> np.ndarray:
    img = np.full((height, width, 3), 255, np.uint8)
    font = cv2.FONT_HERSHEY_SIMPLEX
    cv2.putText(img, title, (10, 20), font, 0.55, (20, 20, 20), 1, cv2.LINE_AA)
    top, bottom, left = 34, 40, 20
    n = max(len(values), 1)
    vmax = max(max(values, default=0), 1)
    bar = (width - 2 * left) / n
    for i, (label, v) in enumerate(zip(labels, values, strict=True)):
        h = int((height - top - bottom) * v / vmax)
        x0, x1 = int(left + i * bar + 3), int(left + (i + 1) * bar - 3)
        cv2.rectangle(img, (x0, height - bottom - h), (x1, height - bottom), (60, 110, 200), -1)
        cv2.putText(img, str(v), (x0, height - bottom - h - 4), font, 0.4, (20, 20, 20), 1, cv2.LINE_AA)
        cv2.putText(img, label, (x0, height - bottom + 16), font, 0.38, (60, 60, 60), 1, cv2.LINE_AA)
    return img


def batch_summary_html(rows: list[dict[str, Any]]) -> str:
    from comedo.grade.scales import HAYASHI_LABELS
    from comedo.render.images import data_uri, png_bytes

    ok = [r for r in rows if not r.get("error")]
    failed = [r for r in rows if r.get("error")]
    grades = Counter(int(r["hayashi_grade"]) for r in ok if r["hayashi_grade"] not in (None, ""))  # close-ups: none
    grade_png = png_bytes(bar_chart(list(HAYASHI_LABELS), [grades.get(g, 0) for g in range(4)],
                                    "Hayashi grade distribution"))
    edges = [0, 1, 3, 6, 11, 21, 36, 51, 10_000]
    names = ["0", "1-2", "3-5", "6-10", "11-20", "21-35", "36-50", ">50"]
    hist = [sum(1 for r in ok if lo <= int(r["lesions"]) < hi) for lo, hi in zip(edges, edges[1:], strict=False)]
    hist_png = png_bytes(bar_chart(names, hist, "lesions per photo"))
    levels = Counter(r.get("triage_level") for r in ok)
    parts = ["<!doctype html><html lang='en'><head><meta charset='utf-8'><title>comedo batch summary</title>"
             "<style>body{font-family:system-ui,sans-serif;max-width:900px;margin:auto;padding:16px}"
             "table{border-collapse:collapse}td,th{padding:3px 8px;border-bottom:1px solid #ddd;text-align:left}"
             "</style></head><body><h1>Batch summary</h1>",
             f"<p>{len(ok)} photos analysed, {len(failed)} could not be read. Triage levels: "
             + ", ".join(f"{html.escape(str(k))} {v}" for k, v in sorted(levels.items(), key=str)) + ".</p>",
             f"<img alt='grade distribution' src='{data_uri(grade_png, 'image/png')}'>",
             f"<img alt='lesion count histogram' src='{data_uri(hist_png, 'image/png')}'>"]
    if failed:
        parts.append("<h2>Files that could not be analysed</h2><table><tr><th>file</th><th>reason</th></tr>")
        parts += [f"<tr><td>{html.escape(str(r['path']))}</td><td>{html.escape(str(r['error']))}</td></tr>"
                  for r in failed]
        parts.append("</table>")
    parts.append("<p><i>comedo is not a medical device.</i></p></body></html>")
    return "\n".join(parts)
