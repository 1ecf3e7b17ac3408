"""The video timeline chart (matplotlib, through ``comedo.render.figures``) and the keyframe contact sheet.

Three panels share one axis in seconds: lesions detected, redness against the person's own skin, and the treated
lesion's change from the first frame; the detected events (tool in, release, tool out) are vertical lines named
in the top panel. Frames without a value (no treated lesion yet) leave gaps rather than a line drawn to zero."""

from __future__ import annotations

import numpy as np

__all__ = ["timeline_chart", "contact_sheet", "EVENT_STYLE"]

# Okabe-Ito colours and line styles per event, named as a person would.
EVENT_STYLE = {"instrument_in": ("#0072B2", "--", "tool in"), "release": ("#D55E00", "-", "release"),
               "instrument_out": ("#009E73", ":", "tool out")}


def timeline_chart(timeline, *, width: int = 960) -> np.ndarray:  # type: ignore[no-untyped-def]
    """RGB uint8 image (H, width, 3) of a ``comedo.workflows.video.Timeline``."""
    from matplotlib.ticker import MaxNLocator

    from comedo.render.figures import figure_rgb, new_figure

    frames = timeline.frames
    ts = [f.t_s for f in frames]
    end = max(timeline.duration_s, ts[-1] if ts else 1.0, 1e-3)
    fig = new_figure(width, 560)
    panels = fig.subplots(3, 1, sharex=True)
    series = (
        ("lesions detected", [float(f.lesion_count) for f in frames], "#000000", "lesions", True),
        ("redness against own skin (p90 \u0394a*)",
         [np.nan if f.redness_delta_a_p90 is None else f.redness_delta_a_p90 for f in frames], "#CC79A7",
         "\u0394a*", False),
        ("treated lesion: change from the first frame",
         [np.nan if f.lesion_change is None else f.lesion_change for f in frames], "#56B4E9", "change", False),
    )
    for axis, (title, values, colour, ylabel, integer) in zip(panels, series, strict=True):
        axis.plot(ts, values, color=colour, linewidth=1.6, marker="o", markersize=3)
        axis.set_title(title, fontsize=9, loc="left")
        axis.set_ylabel(ylabel, fontsize=8)
        if integer:
            axis.yaxis.set_major_locator(MaxNLocator(integer=True))
            axis.set_ylim(bottom=0)
        axis.grid(True, color="#eeeeee", linewidth=0.8)
        for event in timeline.events:
            c, style, _ = EVENT_STYLE.get(event.kind, ("#444444", "-", event.kind))
            axis.axvline(event.t_s, color=c, linestyle=style, linewidth=1.2)
    for event in timeline.events:
        c, _, name = EVENT_STYLE.get(event.kind, ("#444444", "-", event.kind.replace("_", " ")))
        panels[0].annotate(f"{name} {event.t_s:.1f} s", (event.t_s, 1.0), xycoords=("data", "axes fraction"),
                           xytext=(3, -3), textcoords="offset points", va="top", fontsize=7, color=c)
    panels[-1].set_xlim(0, end)
    panels[-1].set_xlabel("seconds", fontsize=8)
    return figure_rgb(fig)


def contact_sheet(frames: list[tuple[str, np.ndarray]], *, height: int = 300) -> np.ndarray:
    """The key frames side by side at one height, each labelled above (TrueType text)."""
    import cv2

    from comedo.render.text import TextLayer

    tiles = []
    for label, rgb in frames:
        scale = height / rgb.shape[0]
        tile = cv2.resize(rgb, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        tile = cv2.copyMakeBorder(tile, 30, 4, 4, 4, cv2.BORDER_CONSTANT, value=(255, 255, 255))
        text = TextLayer()
        text.add(label, (8, 22), 16, (20, 20, 20))
        tiles.append(text.draw(tile))
    return np.hstack(tiles)
