"""comedo export: COCO that a COCO reader loads, YOLO label files, Label Studio tasks; every photo an entry."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

import comedo
from comedo.cli.main import app
from comedo.workflows.export import CATEGORIES

runner = CliRunner()


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory, sample_path: Path) -> Path:
    folder = tmp_path_factory.mktemp("results")
    face = comedo.to_document(comedo.analyze(sample_path)).model_dump(mode="json")
    plain = comedo.to_document(comedo.analyze(np.full((200, 200, 3), (200, 150, 130), np.uint8),
                                              name="clear.png")).model_dump(mode="json")
    assert face["lesions"] and not plain["lesions"]
    (folder / "face.json").write_text(json.dumps(face))
    (folder / "clear.json").write_text(json.dumps(plain))
    (folder / "summary.json").write_text(json.dumps({"not": "an analysis"}))  # skipped inside a folder
    return folder


def test_coco_loads_with_a_coco_reader(results: Path, tmp_path: Path) -> None:
    from pycocotools.coco import COCO

    out = tmp_path / "coco.json"
    result = runner.invoke(app, ["export", "--format", "coco", str(results), "--out", str(out)])
    assert result.exit_code == 0, result.output
    coco = COCO(str(out))
    assert len(coco.getImgIds()) == 2  # the photo without lesions is an image entry too
    assert [c["name"] for c in coco.loadCats(coco.getCatIds())] == list(CATEGORIES)
    face = next(i for i in coco.dataset["images"] if i["file_name"].endswith("face_acne04.jpg"))
    doc = json.loads((results / "face.json").read_text())
    anns = coco.loadAnns(coco.getAnnIds(imgIds=[face["id"]]))
    assert len(anns) == len(doc["lesions"])
    assert anns[0]["bbox"] == doc["lesions"][0]["bbox"] and 0 <= anns[0]["score"] <= 1
    clear = next(i for i in coco.dataset["images"] if i["file_name"] == "clear.png")
    assert coco.getAnnIds(imgIds=[clear["id"]]) == []


def test_yolo_label_files(results: Path, tmp_path: Path) -> None:
    out = tmp_path / "yolo"
    result = runner.invoke(app, ["export", "--format", "yolo", str(results), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "classes.txt").read_text().split() == list(CATEGORIES)
    rows = [line.split() for line in (out / "face_acne04.txt").read_text().splitlines()]
    doc = json.loads((results / "face.json").read_text())
    assert len(rows) == len(doc["lesions"])
    x, y, w, h = doc["lesions"][0]["bbox"]
    cx, cy = float(rows[0][1]) * 640, float(rows[0][2]) * 640
    assert abs(cx - (x + w / 2)) < 0.01 and abs(cy - (y + h / 2)) < 0.01
    assert all(0 <= float(v) <= 1 for r in rows for v in r[1:5])
    assert (out / "clear.txt").read_text() == ""


def test_labelstudio_tasks(results: Path, tmp_path: Path) -> None:
    out = tmp_path / "ls.json"
    assert runner.invoke(app, ["export", "--format", "labelstudio", str(results), "--out", str(out)]).exit_code == 0
    tasks = json.loads(out.read_text())
    assert len(tasks) == 2 and all("predictions" in t for t in tasks)
    face = next(t for t in tasks if t["data"]["image"].endswith("face_acne04.jpg"))
    box = face["predictions"][0]["result"][0]
    assert box["type"] == "rectanglelabels" and box["value"]["rectanglelabels"][0] in CATEGORIES
    assert 0 <= box["value"]["x"] <= 100 and box["original_width"] == 640


def test_bad_export_inputs_are_one_line(tmp_path: Path, results: Path) -> None:
    stray = tmp_path / "x.json"
    stray.write_text('{"not": "an analysis"}')
    for args in (["export", str(stray), "--out", str(tmp_path / "o.json")],
                 ["export", str(tmp_path / "missing.json"), "--out", str(tmp_path / "o.json")],
                 ["export", "--format", "pascal", str(results), "--out", str(tmp_path / "o.json")]):
        result = runner.invoke(app, args)
        assert result.exit_code == 2 and len(result.stderr.strip().splitlines()) == 1, args
