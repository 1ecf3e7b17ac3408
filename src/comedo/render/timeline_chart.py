"""The video timeline chart and the keyframe contact sheet."""

from __future__ import annotations

import cv2
import numpy as np

__all__ = ["timeline_chart", "contact_sheet"]

_FONT = cv2.FONT_HERSHEY_SIMPLEX
EVENT_COLOURS = {"instrument_in": (30, 120, 200), "release": (200, 40, 40), "instrument_out": (40, 150, 80)}


def timeline_chart(timeline, *, width: int = 960) -> np.ndarray:  # type: ignore[no-untyped-def]
    frames = timeline.frames
    panels = []
    for title, values, colour in (
        ("lesions detected", [float(f.lesion_count) for f in frames], (40, 40, 40)),
        ("redness: p90 delta a* vs own skin", [np.nan if f.redness_delta_a_p90 is None else f.redness_delta_a_p90
                                               for f in frames], (200, 40, 40)),
        ("treated lesion: change from the first frame", [np.nan if f.lesion_change is None else f.lesion_change
                                                         for f in frames], (120, 40, 160)),
    ):
        panels.append(_panel(title, [f.t_s for f in frames], values, colour, timeline.events,
                             max(timeline.duration_s, frames[-1].t_s if frames else 1.0), width))
    return np.vstack(panels)


def _panel(title, ts, values, colour, events, duration, width, height=180):  # type: ignore[no-untyped-def]
    img = np.full((height, width, 3), 255, np.uint8)
    left, right, top, bottom = 50, 20, 26, 30
    cv2.putText(img, title, (left, 18), _FONT, 0.5, (20, 20, 20), 1, cv2.LINE_AA)
    finite = [v for v in values if np.isfinite(v)]
    vmax = max(max(finite, default=1.0), 1.0) * 1.1

    def x_of(t: float) -> int:
        return int(left + (width - left - right) * t / max(duration, 1e-6))

    def y_of(v: float) -> int:
        return int(top + (height - top - bottom) * (1 - v / vmax))

    cv2.line(img, (left, y_of(0)), (width - right, y_of(0)), (170, 170, 170), 1)
    for s in range(0, int(duration) + 1, max(1, int(duration) // 10 or 1)):
        cv2.putText(img, f"{s}s", (x_of(s) - 8, height - 10), _FONT, 0.38, (90, 90, 90), 1, cv2.LINE_AA)
    cv2.putText(img, f"{vmax:.0f}", (8, y_of(vmax) + 10), _FONT, 0.38, (90, 90, 90), 1, cv2.LINE_AA)
    for e in events:
        c = EVENT_COLOURS.get(e.kind, (0, 0, 0))
        cv2.line(img, (x_of(e.t_s), top), (x_of(e.t_s), height - bottom), c, 1, cv2.LINE_AA)
        cv2.putText(img, e.kind.replace("instrument_", "tool "), (x_of(e.t_s) + 3, top + 10), _FONT, 0.36, c, 1,
                    cv2.LINE_AA)
    pts = [(x_of(t), y_of(v)) for t, v in zip(ts, values, strict=True) if np.isfinite(v)]
    for p, q in zip(pts, pts[1:], strict=False):
        cv2.line(img, p, q, colour, 2, cv2.LINE_AA)
    return img


def contact_sheet(frames: list[tuple[str, np.ndarray]], *, height: int = 300) -> np.ndarray:
    tiles = []
    for label, rgb in frames:
        scale = height / rgb.shape[0]
        tile = cv2.resize(rgb, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        tile = cv2.copyMakeBorder(tile, 30, 4, 4, 4, cv2.BORDER_CONSTANT, value=(255, 255, 255))
        cv2.putText(tile, label, (8, 22), _FONT, 0.6, (20, 20, 20), 1, cv2.LINE_AA)
        tiles.append(tile)
    return np.hstack(tiles)
