"""A measured size in words with its uncertainty: "about 6 mm (5-7)".

The range is two standard deviations of the photo's scale either side (``Scale.uncertainty_pct``: the ruler's fit,
or the iris's population spread and depth; about 95 % of the time the true size lies in it if the lesion's outline
is right). A scale the user gave is taken as exact, and its sizes have no range. The outline's own error is not in
it (docs/methods.md, "Lesion size", reports how often outlines fit by eye).
"""

from __future__ import annotations

__all__ = ["size_range_mm", "size_words"]


def size_range_mm(diameter_mm: float, uncertainty_pct: float | None) -> tuple[float, float] | None:
    """(low, high) millimetres, two standard deviations of the scale either side; None for an exact scale."""
    if uncertainty_pct is None or uncertainty_pct <= 0:
        return None
    spread = 2.0 * uncertainty_pct / 100.0
    return diameter_mm * max(0.0, 1.0 - spread), diameter_mm * (1.0 + spread)


def _mm(value: float, whole: bool) -> str:
    return f"{value:.0f}" if whole else f"{value:.1f}"


def size_words(diameter_mm: float, uncertainty_pct: float | None = None) -> str:
    """"about 6 mm (5-7)"; whole millimetres from 3 mm, tenths below; no range where it would read "6-6"."""
    whole = diameter_mm >= 3.0
    text = f"about {_mm(diameter_mm, whole)} mm"
    span = size_range_mm(diameter_mm, uncertainty_pct)
    if span is not None:
        low, high = _mm(span[0], whole), _mm(span[1], whole)
        if low != high:
            text += f" ({low}-{high})"
    return text
