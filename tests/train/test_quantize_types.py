"""The int8 type network's card takes its figures from `comedo evaluate-types --json-out` files."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from PIL import Image
from typer.testing import CliRunner

from comedo.cli.main import app
from comedo_train.quantize_types import card_figures, network_input


def test_the_card_summary_keeps_the_evaluated_figures(sample_path: Path, tmp_path: Path) -> None:
    rgb = np.asarray(Image.open(sample_path).convert("RGB"))
    for folder, (x, y) in (("blackhead", (200, 180)), ("cyst", (300, 200))):
        (tmp_path / folder).mkdir()
        Image.fromarray(rgb[y : y + 200, x : x + 200]).save(tmp_path / folder / "0.jpg")
    out = tmp_path / "figures.json"
    result = CliRunner().invoke(app, ["evaluate-types", str(tmp_path), "--json-out", str(out)])
    assert result.exit_code == 0, result.output
    evaluated = json.loads(out.read_text())
    card = card_figures(evaluated, "a test")
    assert card["photos"] == 2 and card["measured_by"] == "a test"
    assert card["classifier_types"]["macro_f1"] == evaluated["classifier"]["types"]["macro_f1"]
    assert card["pipeline_groups"]["coverage"] == evaluated["pipeline"]["groups"]["coverage"]
    assert card["calibration_ece"]["types"] == evaluated["calibration"]["types_ece"]
    assert set(card["advice"]) == set(evaluated["advice"])


def test_calibration_photos_are_fed_as_the_package_feeds_them(sample_path: Path) -> None:
    x = network_input(sample_path, 224)
    assert x.shape == (1, 3, 224, 224) and x.dtype == np.float32
    assert 0.0 <= float(x.min()) and float(x.max()) <= 255.0
