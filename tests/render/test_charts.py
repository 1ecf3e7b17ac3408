"""The charts drawn with matplotlib: the video timeline (events as lines, gaps where a frame has no value), the
batch summary's bars and page (failures listed, file names escaped)."""

from __future__ import annotations

import numpy as np

from comedo.render.batch_report import bar_chart, batch_summary_html
from comedo.render.timeline_chart import contact_sheet, timeline_chart
from comedo.workflows.video import FrameResult, Timeline, VideoEvent


def _timeline() -> Timeline:
    frames = [FrameResult(t_s=0.5 * i, lesion_count=3 + (i % 3), redness_delta_a_p90=2.0 + 0.1 * i,
                          inflamed_fraction=0.1, instrument_or_fingers=4 <= i <= 10, instrument_confidence=0.5,
                          sharpness=100.0, motion=None, blurry=False, registered=True,
                          lesion_change=None if i < 3 else -0.05 * i)
              for i in range(20)]
    events = [VideoEvent(2.0, "instrument_in", 0.9), VideoEvent(3.5, "release", 0.7),
              VideoEvent(5.5, "instrument_out", 0.9)]
    return Timeline("clip.mp4", 10.0, 30.0, 0.5, frames, events)


def test_the_timeline_marks_each_event_across_the_panels() -> None:
    img = timeline_chart(_timeline())
    assert img.dtype == np.uint8 and img.shape[1] == 960 and img.shape[2] == 3
    # The release line (#D55E00) runs through all three panels, at one column.
    orange = np.all(np.abs(img.astype(int) - (213, 94, 0)) <= 50, axis=2)  # antialiased: lighter at its edges
    rows = np.flatnonzero(orange.any(axis=1))
    assert rows.size and rows.max() - rows.min() > 0.6 * img.shape[0]
    cols = np.flatnonzero(orange.sum(axis=0) > 0.3 * img.shape[0])
    assert cols.size and cols.max() - cols.min() <= 4


def test_the_contact_sheet_keeps_every_frame_at_one_height() -> None:
    frames = [(f"frame {i}", np.full((120, 160 + 40 * i, 3), 90 * i, np.uint8)) for i in range(3)]
    sheet = contact_sheet(frames, height=100)
    assert sheet.shape[0] == 134 and sheet.shape[1] == sum(round(100 / 120 * (160 + 40 * i)) + 8 for i in range(3))


def test_bars_and_the_batch_page_list_failures_escaped() -> None:
    img = bar_chart(["a", "b", "c"], [0, 3, 7], "title")
    assert img.shape == (260, 640, 3)
    rows = [{"path": "a.jpg", "lesions": 4, "hayashi_grade": 1, "triage_level": "self_care"},
            {"path": "b.jpg", "lesions": 2, "hayashi_grade": "", "triage_level": "self_care"},
            {"path": "<script>x</script>.jpg", "error": "not a supported image"}]
    page = batch_summary_html(rows)
    assert "2 photos analysed" in page and "1 could not be analysed" in page and "1 is a close-up" in page
    assert "&lt;script&gt;x&lt;/script&gt;.jpg" in page and "<script>x" not in page
    assert page.count("data:image/png;base64,") == 2 and "not a medical device" in page


def test_the_history_chart_reads_clock_times_in_the_users_zone_and_gives_each_grade_its_own_axis(monkeypatch) -> None:
    """Issue 33: visits seconds apart were labelled "16.5 17.0 ..." (seconds), and the IGA "3 moderate" line sat
    beside the Hayashi axis's "very severe"."""
    import re
    from datetime import datetime, timedelta, timezone

    import comedo.render.figures as figures
    from comedo.render.history_chart import history_chart
    from comedo.store.repository import HistoryRow

    drawn = []
    real = figures.figure_rgb
    monkeypatch.setattr(figures, "figure_rgb", lambda fig: (drawn.append(fig), real(fig))[1])
    t0 = datetime(2026, 9, 1, 10, 0, 16)  # as SQLite gives it back: naive, UTC
    rows = [HistoryRow(i + 1, t0 + timedelta(seconds=2 * i), 10, 3, 6, 1, g, g, "mild", "slight", 3.0, None,
                       "self_care", "x") for i, g in enumerate([3, None, 1])]
    history_chart(rows, "s", tz=timezone(timedelta(hours=2), "CEST"))
    fig = drawn[0]
    assert fig._suptitle.get_text() == "s: 3 analyses"
    bottom = fig.axes[-1]
    labels = [t.get_text() for t in bottom.get_xticklabels() if t.get_text()]
    assert labels and all(re.fullmatch(r"\d\d:\d\d", t) for t in labels), labels  # clock times, not seconds
    assert any(t.startswith("12:") for t in labels), labels  # 10:00 UTC is 12:00 in the user's zone
    assert "CEST" in bottom.get_xlabel()
    tick_sets = [[t.get_text() for t in axis.get_yticklabels()] for axis in fig.axes]
    iga = [ts for ts in tick_sets if "3 moderate" in ts]
    hayashi = [ts for ts in tick_sets if "very severe" in ts]
    assert len(iga) == 1 and len(hayashi) == 1 and "very severe" not in iga[0]  # each on its own axis
    history_chart(rows[:1], "s")
    assert drawn[1]._suptitle.get_text() == "s: 1 analysis"
