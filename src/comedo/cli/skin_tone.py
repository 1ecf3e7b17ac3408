"""The figures-by-skin-tone table both evaluate commands print (rich is imported when one is drawn)."""

from __future__ import annotations

__all__ = ["skin_tone_table", "figure_cell"]

_BAND_ROWS = [("images", "photos"), ("grade_accuracy", "grade accuracy"),
              ("grade_accuracy_standardised", "grade accuracy, the set's grade mix"),
              ("severe_share", "share graded severe or worse"), ("count_mae", "count MAE (listed)"),
              ("estimated_count_mae", "count MAE (estimated)"), ("ap50", "AP50"),
              ("circles_recall", "recall vs circles"), ("circles_precision", "precision vs circles")]


def skin_tone_table(title: str, by_band: dict, rows: list[tuple[str, str]] | None = None) -> object:
    from rich.table import Table

    table = Table(title=title)
    table.add_column("figure")
    for band in by_band:
        table.add_column(band, justify="right")
    for key, label in rows or _BAND_ROWS:
        if any(key in v for v in by_band.values()):
            table.add_row(label, *[figure_cell(v, key) for v in by_band.values()])
    return table


def figure_cell(result: dict, key: str) -> str:
    """A figure with its 95 % interval where there is one."""
    value = result.get(key, "-")
    interval = result.get("intervals_95", {}).get(key)
    return f"{value} ({interval[0]:g}-{interval[1]:g})" if interval else str(value)
