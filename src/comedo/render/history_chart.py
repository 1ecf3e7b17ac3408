"""A PNG chart of a subject's history, drawn with OpenCV (no plotting library):
lesion counts by type, redness (p90 Delta a*) and IGA grade over time."""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

__all__ = ["history_chart"]

_FONT = cv2.FONT_HERSHEY_SIMPLEX
SERIES = (
    ("non_inflammatory", "comedones", (30, 120, 200)),
    ("papules_pustules", "papules/pustules", (220, 60, 60)),
    ("nodules_cysts", "nodules/cysts", (120, 40, 160)),
    ("lesion_count", "all lesions", (40, 40, 40)),
)


def _panel(values: list[list[float]], labels: list[str], colours: list[tuple[int, int, int]], title: str,
           dates: list[str], width: int, height: int) -> np.ndarray:
    img = np.full((height, width, 3), 255, np.uint8)
    left, right, top, bottom = 60, 20, 30, 40
    cv2.putText(img, title, (left, 20), _FONT, 0.55, (20, 20, 20), 1, cv2.LINE_AA)
    flat = [v for series in values for v in series if v is not None and np.isfinite(v)]
    vmax = max(max(flat) if flat else 1.0, 1.0) * 1.1
    vmin = min(0.0, min(flat) if flat else 0.0)
    n = len(dates)
    xs = [left + (width - left - right) * (i / max(n - 1, 1)) for i in range(n)]

    def y_of(v: float) -> int:
        return int(top + (height - top - bottom) * (1 - (v - vmin) / (vmax - vmin)))

    cv2.line(img, (left, y_of(vmin)), (width - right, y_of(vmin)), (160, 160, 160), 1)
    for k in range(5):
        v = vmin + (vmax - vmin) * k / 4
        cv2.putText(img, f"{v:.0f}", (8, y_of(v) + 4), _FONT, 0.4, (90, 90, 90), 1, cv2.LINE_AA)
        cv2.line(img, (left, y_of(v)), (width - right, y_of(v)), (235, 235, 235), 1)
    for i, d in enumerate(dates):
        if n <= 8 or i % max(1, n // 8) == 0:
            cv2.putText(img, d, (int(xs[i]) - 30, height - 14), _FONT, 0.35, (90, 90, 90), 1, cv2.LINE_AA)
    for series, label, colour in zip(values, labels, colours, strict=True):
        pts = [(int(x), y_of(v)) for x, v in zip(xs, series, strict=True) if v is not None and np.isfinite(v)]
        for p, q in zip(pts, pts[1:], strict=False):
            cv2.line(img, p, q, colour, 2, cv2.LINE_AA)
        for p in pts:
            cv2.circle(img, p, 4, colour, -1, cv2.LINE_AA)
    x = left + 180
    for label, colour in zip(labels, colours, strict=True):
        cv2.circle(img, (x, 15), 5, colour, -1, cv2.LINE_AA)
        cv2.putText(img, label, (x + 9, 20), _FONT, 0.42, (20, 20, 20), 1, cv2.LINE_AA)
        x += cv2.getTextSize(label, _FONT, 0.42, 1)[0][0] + 30
    return img


def history_chart(rows: Sequence[object], subject: str, *, width: int = 900) -> np.ndarray:
    """RGB image: three panels (counts by type, redness, IGA) over the subject's analyses."""
    dates = [r.created_at.strftime("%Y-%m-%d") for r in rows]  # type: ignore[attr-defined]
    counts = _panel([[float(getattr(r, key)) for r in rows] for key, _, _ in SERIES], [s[1] for s in SERIES],
                    [s[2] for s in SERIES], f"{subject}: lesion counts by type", dates, width, 260)
    redness = _panel([[r.delta_a_p90 if r.delta_a_p90 is not None else float("nan")  # type: ignore[attr-defined]
                       for r in rows]],
                     ["p90 delta a* vs own skin"], [(200, 40, 40)], "redness", dates, width, 200)
    def grade(value: int | None) -> float:  # close-ups are not graded: a gap in the line
        return float("nan") if value is None else float(value)

    iga = _panel([[grade(r.iga_grade) for r in rows],  # type: ignore[attr-defined]
                  [grade(r.hayashi_grade) for r in rows]],  # type: ignore[attr-defined]
                 ["IGA 0-4", "Hayashi 0-3"], [(60, 60, 60), (30, 140, 90)], "severity", dates, width, 200)
    return np.vstack([counts, redness, iga])
