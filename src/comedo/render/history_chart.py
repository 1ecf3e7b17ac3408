"""A PNG chart of a subject's history, drawn with matplotlib (Agg, imported only here): lesion counts by type,
redness (p90 Delta a* against the person's own skin), the severity grades and, where the photos show a face,
lesions by face zone with each visit's GAGS, over real dates.

The x axis is time in the user's time zone (the machine's, or ``tz``), so visits are spaced by their dates and two
visits on one day stay apart by their hours, labelled as dates or clock times (never seconds: a span under an hour
is widened to one); IGA and Hayashi each have their own panel and labelled axis, so an IGA of 4 sits on the
"4 severe" line and no Hayashi label stands beside it; each series has
its own marker and line style so that equal values do not hide one another; close-ups, which are not graded, leave
a gap in the grade lines, as a zone not visible in a photo (a side view's far cheek) does in its zone's line.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta, timezone, tzinfo

import numpy as np

__all__ = ["history_chart", "SERIES", "ZONE_SERIES"]

# Okabe-Ito colours (as on the annotated image), a marker and a line style each.
SERIES = (
    ("non_inflammatory", "comedones", "#0072B2", "o", "-"),
    ("papules_pustules", "papules/pustules", "#E69F00", "s", "--"),
    ("nodules_cysts", "nodules/cysts", "#D55E00", "^", "-."),
    ("lesion_count", "all lesions", "#000000", "D", ":"),
)
# The face zones (the subject's left and right), Okabe-Ito colours again, a marker each.
ZONE_SERIES = (
    ("forehead", "forehead", "#0072B2", "o", "-"),
    ("right_cheek", "right cheek", "#E69F00", "s", "--"),
    ("left_cheek", "left cheek", "#009E73", "v", "--"),
    ("nose", "nose", "#CC79A7", "^", "-."),
    ("chin", "chin", "#D55E00", "D", ":"),
)
_IGA = ("0 clear", "1 almost clear", "2 mild", "3 moderate", "4 severe")
_HAYASHI = ("mild", "moderate", "severe", "very severe")


def _local(when: datetime, tz: tzinfo | None) -> datetime:
    """A stored time (UTC; naive where the database keeps no zone) in the user's zone (the machine's by default)."""
    aware = when if when.tzinfo is not None else when.replace(tzinfo=timezone.utc)
    return aware.astimezone(tz)


def history_chart(rows: Sequence[object], subject: str, *, width: int = 900, tz: tzinfo | None = None) -> np.ndarray:
    """RGB uint8 image (H, width, 3): four panels over the subject's analyses (``HistoryRow``s), and a fifth,
    lesions by face zone, when any of them has a face map; times in ``tz`` (default: this machine's zone)."""
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
    from matplotlib.ticker import MaxNLocator

    from comedo.render.figures import figure_rgb, new_figure

    times = [_local(r.created_at, tz) for r in rows]  # type: ignore[attr-defined]
    zone = times[0].tzinfo if times else None
    mapped = any(getattr(r, "zone_lesions", None) for r in rows)
    n = 5 if mapped else 4
    fig = new_figure(width, 1060 if mapped else 840)
    panels = fig.subplots(n, 1, sharex=True, height_ratios=(1.3, 1, 0.8, 1, 1.3)[:n])
    counts, redness, hayashi, grades = panels[:4]
    fig.suptitle(f"{subject}: {len(rows)} {'analysis' if len(rows) == 1 else 'analyses'}", fontsize=11)

    for key, label, colour, marker, style in SERIES:
        counts.plot(times, [getattr(r, key) for r in rows], marker=marker, linestyle=style, color=colour,
                    label=label, markersize=5, linewidth=1.4)
    counts.set_ylabel("lesions")
    counts.set_ylim(bottom=0)
    counts.yaxis.set_major_locator(MaxNLocator(integer=True))
    counts.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)

    red = [np.nan if r.delta_a_p90 is None else r.delta_a_p90 for r in rows]  # type: ignore[attr-defined]
    redness.plot(times, red, marker="o", color="#CC79A7", linewidth=1.4, markersize=5,
                 label="p90 redness vs own skin")
    for level, name in ((2.5, "slight"), (5.0, "moderate"), (8.0, "marked")):
        redness.axhline(level, color="#999999", linewidth=0.6, linestyle=":")
        redness.annotate(name, (0.0, level), xycoords=("axes fraction", "data"), xytext=(3, 2),
                         textcoords="offset points", fontsize=7, color="#666666", va="bottom")
    redness.set_ylabel("delta a*")
    redness.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)

    def graded(key: str) -> list[float]:
        return [np.nan if getattr(r, key) is None else float(getattr(r, key)) for r in rows]

    hayashi.plot(times, graded("hayashi_grade"), marker="o", linestyle="--", color="#56B4E9", linewidth=1.4,
                 markersize=5, label="Hayashi")
    hayashi.set_ylim(-0.4, 3.4)
    hayashi.set_yticks(range(4), _HAYASHI, fontsize=8)
    hayashi.set_ylabel("Hayashi")
    hayashi.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    grades.plot(times, graded("iga_grade"), marker="s", color="#009E73", linewidth=1.4, markersize=6, label="IGA")
    grades.set_ylim(-0.4, 4.4)
    grades.set_yticks(range(5), _IGA, fontsize=8)
    grades.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    grades.set_ylabel("IGA")

    if mapped:
        _zone_panel(panels[4], rows, times)
    bottom = panels[-1]
    locator = AutoDateLocator(minticks=3, maxticks=8, tz=zone)
    bottom.xaxis.set_major_locator(locator)
    bottom.xaxis.set_major_formatter(ConciseDateFormatter(locator, tz=zone, show_offset=True))
    if len(times) == 1:  # one visit: a day either side, so the axis has a span
        bottom.set_xlim(times[0] - timedelta(days=1), times[0] + timedelta(days=1))
    elif times and max(times) - min(times) < timedelta(hours=1):  # visits minutes apart: clock times, not seconds
        middle = min(times) + (max(times) - min(times)) / 2
        bottom.set_xlim(middle - timedelta(minutes=30), middle + timedelta(minutes=30))
    bottom.set_xlabel(f"time ({zone.tzname(times[0]) if zone and times else 'local'})", fontsize=8)
    for axis in panels:
        axis.grid(True, color="#eeeeee", linewidth=0.8)
    return figure_rgb(fig)


def _zone_panel(axis, rows: Sequence[object], times: list) -> None:  # type: ignore[no-untyped-def]
    """Lesions per face zone (a gap where the photo had no face map or the zone was not visible), with each
    mapped visit's GAGS written above its point."""
    from matplotlib.ticker import MaxNLocator

    def zone(r: object, name: str) -> float:
        zones = getattr(r, "zone_lesions", None) or {}
        value = zones.get(name)
        return np.nan if value is None else float(value)

    top = 0.0
    for name, label, colour, marker, style in ZONE_SERIES:
        values = [zone(r, name) for r in rows]
        axis.plot(times, values, marker=marker, linestyle=style, color=colour, label=label, markersize=5,
                  linewidth=1.4)
        top = max([top, *(v for v in values if np.isfinite(v))])
    axis.set_ylim(0, max(top * 1.25, 3.0))
    for when, r in zip(times, rows, strict=True):
        score = getattr(r, "gags_score", None)
        if score is not None:
            axis.annotate(f"GAGS {score}", (when, 1.0), xycoords=("data", "axes fraction"), xytext=(0, -2),
                          textcoords="offset points", ha="center", va="top", fontsize=7, color="#444444")
    axis.set_ylabel("lesions by zone")
    axis.yaxis.set_major_locator(MaxNLocator(integer=True))
    axis.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
