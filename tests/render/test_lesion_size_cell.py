"""The table's size cell: millimetres (the lesion's own outline) with a scale, else pixels with words."""

from __future__ import annotations

from comedo.render.html_templates import lesion_size


def test_the_table_shows_the_lesions_own_size() -> None:
    assert lesion_size({"diameter_mm": 5.93, "diameter_px": 59.3, "radius_px": 40.0}, 480) == "5.9 mm"
    assert lesion_size({"diameter_mm": None, "diameter_px": 12.0, "radius_px": 20.0}, 480) == "12 px, small"
    assert lesion_size({"diameter_mm": None, "radius_px": 20.0}, 480) == "40 px, large"  # before 1.2: the ring
