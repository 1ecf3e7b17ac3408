"""The by-eye iris check's arithmetic (comedo_train.iris_by_eye): readings from a hand-made TSV, per-eye and
per-photo agreement with model diameters, and the second reading's repeatability."""

from __future__ import annotations

from pathlib import Path

import pytest

from comedo_train.iris_by_eye import agreement, per_photo, read_decisions, repeatability

TSV = """# a comment line, skipped
photo\teye\tx_left\tx_right\ty_top\ty_bottom\tsure\tnote
a.jpg\timg_left\t10\t30\tNA\tNA\tsure\t
a.jpg\timg_right\t100\t121\tNA\t40\tunsure\tsoft edge
b.jpg\timg_left\t5\t15\tNA\tNA\tsure\t
b.jpg\timg_right\tNA\tNA\tNA\tNA\tunsure\tunreadable
"""


def _write(tmp_path: Path, text: str, name: str = "d.tsv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_readings_and_agreement(tmp_path: Path) -> None:
    readings = read_decisions(_write(tmp_path, TSV))
    by_eye = {(r.photo, r.eye): r.diameter for r in readings if r.diameter is not None}
    assert by_eye == {("a.jpg", "img_left"): 20, ("a.jpg", "img_right"): 21, ("b.jpg", "img_left"): 10}
    assert [r.sure for r in readings] == [True, False, True, False]
    model = {("a.jpg", "img_left"): 20.5, ("a.jpg", "img_right"): 19.0, ("b.jpg", "img_left"): 10.4,
             ("b.jpg", "img_right"): 11.0}
    found = agreement(by_eye, model)  # ratios 0.976, 1.105, 0.962: two within 5 %
    assert found.n == 3 and found.within == 2
    assert found.median_abs_pct == pytest.approx(100 * (1 - 10 / 10.4), abs=1e-6)  # gaps 2.4, 3.8, 10.5 %
    # per photo: only a.jpg has both eyes read; (20 + 21) / 2 = 20.5 against (20.5 + 19) / 2 = 19.75
    photos = agreement(per_photo(by_eye), per_photo(model))
    assert photos.n == 1 and photos.within == 1
    assert photos.ratios[0] == pytest.approx(20.5 / 19.75)


def test_exactly_five_percent_agrees_and_repeatability(tmp_path: Path) -> None:
    assert agreement({("p", "e"): 21.0}, {("p", "e"): 20.0}).within == 1
    assert agreement({("p", "e"): 21.1}, {("p", "e"): 20.0}).within == 0
    first = read_decisions(_write(tmp_path, TSV))
    second = read_decisions(_write(tmp_path, TSV.replace("10\t30", "11\t30").replace("5\t15", "5\t17"), "s.tsv"))
    again = repeatability(first, second)  # 19 vs 20 (5 %), 21 vs 21, 12 vs 10 (20 %)
    assert again.n == 3 and again.within == 2
    assert again.median_abs_pct == pytest.approx(5.0)
