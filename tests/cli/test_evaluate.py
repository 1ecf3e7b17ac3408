"""`comedo evaluate` and `comedo evaluate-types` on small data sets built from the bundled sample."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from PIL import Image
from typer.testing import CliRunner

import comedo
from comedo.cli.evaluate_types_cmd import folder_key, source_key
from comedo.cli.main import app
from comedo.schema import to_document

runner = CliRunner()


def _crops(sample_path: Path, n: int) -> list[Image.Image]:
    rgb = np.asarray(Image.open(sample_path).convert("RGB"))
    return [Image.fromarray(rgb[y : y + 200, x : x + 200]) for x, y in [(200, 180), (250, 250), (300, 200)][:n]]


def test_folder_names_are_matched_loosely() -> None:
    assert folder_key(" Open-Comedones ") == "open_comedones"
    assert folder_key("closed comedo") == "closed_comedo"


def test_copies_of_one_roboflow_photo_share_a_source() -> None:
    assert source_key(Path("cysts_265_jpg.rf.59640aad2f63572caf6b9b1.jpg")) == "cysts_265"
    assert source_key(Path("cysts_265_jpg.rf.e2d0586dc9861059d652318.jpg")) == "cysts_265"
    assert source_key(Path("IMG_0042.JPG")) == "IMG_0042"


def test_evaluate_types_reads_folders_named_by_type(sample_path: Path, tmp_path: Path) -> None:
    for folder, n in (("Blackheads", 2), ("closed comedones", 1), ("Cyst", 1), ("scars", 1)):
        (tmp_path / folder).mkdir()
        for i, crop in enumerate(_crops(sample_path, n)):
            crop.save(tmp_path / folder / f"{i}.jpg")
    (tmp_path / "Cyst" / "notes.txt").write_text("not a photo")
    out = tmp_path / "figures.json"
    result = runner.invoke(app, ["evaluate-types", str(tmp_path), "--json-out", str(out)])
    assert result.exit_code == 0, result.output
    assert "not a type, left out: scars" in result.stderr
    figures = json.loads(out.read_text())
    assert figures["photos"] == 4 and figures["skipped"] == 0 and figures["source_photos"] == 4
    low, high = figures["macro_f1_interval_95"]
    assert 0.0 <= low <= high <= 1.0
    rows = np.array(figures["confusion"]).sum(axis=1).tolist()
    assert rows == [2, 1, 0, 0, 0, 1]  # open, closed, papule, pustule, nodule, cyst
    assert 0.0 <= figures["accuracy"] <= 1.0


def test_evaluate_types_without_type_folders_is_a_one_line_error(tmp_path: Path) -> None:
    (tmp_path / "holiday").mkdir()
    result = runner.invoke(app, ["evaluate-types", str(tmp_path)])
    assert result.exit_code == 2
    assert "no photos in folders named by type" in result.stderr and "Traceback" not in result.output


def test_evaluate_scores_the_models_own_boxes_as_perfect(sample_path: Path, tmp_path: Path) -> None:
    # Labels made of what analyze finds: evaluate must run the same pipeline and score it AP50 1, count error 0.
    (tmp_path / "images").mkdir()
    Image.open(sample_path).save(tmp_path / "images" / "face.jpg", quality=95)
    doc = to_document(comedo.analyze(tmp_path / "images" / "face.jpg")).model_dump(mode="json")
    grade = doc["severity"]["hayashi"]["grade"]
    coco = {"images": [{"id": 1, "file_name": "face.jpg", "width": 640, "height": 640, "grade": grade}],
            "annotations": [{"id": i, "image_id": 1, "bbox": x["bbox"], "category_id": 0}
                            for i, x in enumerate(doc["lesions"])]}
    (tmp_path / "annotations.json").write_text(json.dumps(coco))
    out = tmp_path / "figures.json"
    result = runner.invoke(app, ["evaluate", str(tmp_path), "--json-out", str(out)])
    assert result.exit_code == 0, result.output
    figures = json.loads(out.read_text())
    assert figures["model"]["images"] == 1 and len(doc["lesions"]) >= 5
    assert figures["model"]["ap50"] > 0.95 and figures["model"]["count_mae"] == 0
    assert figures["classical"]["ap50"] < figures["model"]["ap50"]
    assert figures["model"]["intervals_95"]["count_mae"] == [0.0, 0.0]  # one photo: every resample is that photo
    # The grade evaluate scores is the one analyze gives (the detector's grade model), not the count's band.
    assert figures["model"]["grade_method"] == "grade model" and figures["model"]["grade_accuracy"] == 1.0
    assert figures["classical"]["grade_method"] == "count" and "grade_accuracy_count" not in figures["classical"]


def test_evaluate_rejects_a_broken_annotation_file(tmp_path: Path) -> None:
    (tmp_path / "annotations.json").write_text(json.dumps({"images": [{"id": 1, "file_name": "x.jpg"}],
                                                           "annotations": [{"image_id": 1}]}))
    result = runner.invoke(app, ["evaluate", str(tmp_path)])
    assert result.exit_code == 2
    assert "not a COCO annotation file" in result.stderr and "Traceback" not in result.output
