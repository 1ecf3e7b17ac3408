"""History rows carry the largest lesion's diameter in mm (its own outline), where the photo had a scale."""

from __future__ import annotations

from pathlib import Path

import pytest
from synthetic import red_bump_photo
from typer.testing import CliRunner

import comedo
from comedo.cli.main import app
from comedo.store.repository import Store


def test_history_rows_carry_the_largest_lesions_millimetres(tmp_path: Path) -> None:
    rgb, truth_px = red_bump_photo()
    url = f"sqlite:///{tmp_path / 'sizes.db'}"
    store = Store.open(url, data_dir=tmp_path)
    scaled = comedo.analyze(rgb, mm_per_px=0.1)
    store.save_analysis(comedo.analyze(rgb[::-1].copy()), subject_id="s")  # no scale
    store.save_analysis(scaled, subject_id="s")
    rows = store.history("s")
    store.close()
    assert rows[0].largest_lesion_mm is None
    assert rows[1].largest_lesion_mm == pytest.approx(float(scaled.lesions.diameters.max()) * 0.1, abs=0.01)
    assert rows[1].largest_lesion_mm == pytest.approx(truth_px * 0.1, rel=0.1)
    wide = CliRunner().invoke(app, ["history", "s", "--db", url], env={"COLUMNS": "120"})
    assert wide.exit_code == 0, wide.output
    assert f"{rows[1].largest_lesion_mm:.1f} mm" in wide.stdout and "the largest lesion" in wide.stdout
    narrow = CliRunner().invoke(app, ["history", "s", "--db", url], env={"COLUMNS": "80"})  # below the count
    assert f"{rows[1].largest_lesion_mm:.1f} mm" in narrow.stdout
