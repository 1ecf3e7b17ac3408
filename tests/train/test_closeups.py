"""The close-up detector's recipe: COCO close-ups to samples, targets where the circles are, colour constancy,
decoding, one finite training step, and a run that resumes where it stopped."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest
from synthetic import add_dots, skin_scene

from comedo_train.closeup_data import (
    IGNORE,
    LOOKALIKE,
    NOT_LESION,
    TYPE_CLASSES,
    augment_closeup,
    decode_rings,
    load_closeups,
    make_closeup_targets,
    prepare,
    shades_of_grey,
)
from comedo_train.detector_geometry import STRIDE
from comedo_train.labelling.decisions import CATEGORIES, CATEGORY_ID

# Three photos, two sources; the third is a tile (crop) of a larger mosaic file.
PHOTOS = [("lesion-types/train", "a.png", None, ["open_comedo", "papule", "unsure"]),
          ("lesion-types/train", "b.png", None, ["milium", "pustule", "closed_comedo"]),
          ("lesion-types-more", "c.png", [0, 0, 128, 128], ["open_comedo", "open_comedo"])]


@pytest.fixture()
def closeups(tmp_path: Path) -> tuple[Path, Path]:
    """A COCO of three synthetic close-ups (dark dots as lesions) with hard negatives, and its photo folder."""
    data = tmp_path / "data"
    images, annotations, negatives = [], [], []
    for image_id, (source, name, crop, kinds) in enumerate(PHOTOS, start=1):
        size = (128, 128) if crop else (160, 192)
        scene = add_dots(skin_scene(size, margin=0, seed=image_id), len(kinds), radius=(3, 6), darken=35,
                         seed=image_id, min_gap=10)
        rgb = scene.rgb
        if crop:  # the tile is the top-left quarter of a 2x2 mosaic
            rgb = np.full((256, 256, 3), 128, np.uint8)
            rgb[:128, :128] = scene.rgb
        path = data / source / name
        path.parent.mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(path), cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
        h, w = size
        images.append({"id": image_id, "file_name": f"{source}/{name}", "width": w, "height": h,
                       "photo_id": name, "crop": crop, "status": "ok", "source_folder": source})
        for (x, y, r), kind in zip(scene.dots, kinds, strict=True):
            annotations.append({"id": len(annotations) + 1, "image_id": image_id, "category_id": CATEGORY_ID[kind],
                                "center": [x, y], "radius": r, "sure": kind != "pustule"})
        negatives.append({"image_id": image_id, "center": [w - 12.0, h - 12.0], "radius": 5.0})
    images.append({"id": 9, "file_name": "lesion-types/train/a.png", "width": 192, "height": 160, "photo_id": "m",
                   "crop": None, "status": "mosaic", "source_folder": "lesion-types/train"})
    coco = tmp_path / "closeups_train.json"
    coco.write_text(json.dumps({"images": images, "annotations": annotations, "categories": CATEGORIES,
                                "negatives": negatives}))
    return coco, data


def test_load_keeps_ok_photos_cuts_tiles_and_maps_types(closeups: tuple[Path, Path]) -> None:
    coco, data = closeups
    samples = load_closeups(coco, data)
    assert [s.photo_id for s in samples] == ["a.png", "b.png", "c.png"]  # the mosaic is left out
    assert samples[2].rgb.shape == (128, 128, 3)
    assert samples[0].types.tolist() == [0, 2, IGNORE]
    assert samples[1].types.tolist() == [LOOKALIKE, 3, 1] and samples[1].sure.tolist() == [True, False, True]
    assert samples[0].negatives.shape == (1, 3)
    assert [s.photo_id for s in load_closeups(coco, data, sources=("lesion-types-more",))] == ["c.png"]


def test_targets_land_where_the_circles_are() -> None:
    circles = np.array([[50.0, 30.0, 6.0], [102.0, 90.0, 10.0], [22.0, 102.0, 4.0]], np.float32)
    types = np.array([2, IGNORE, 0])
    sure = np.array([True, True, False])
    negatives = np.array([[120.0, 20.0, 5.0], [101.0, 92.0, 8.0]], np.float32)  # the second is on a lesion
    t = make_closeup_targets(circles, types, sure, negatives, 128, 128)
    assert t["heat"].shape == (1, 32, 32) and t["type_label"].shape == (32, 32)
    for (x, y, _), cls in zip(circles, types, strict=True):
        row, col = int(y // STRIDE), int(x // STRIDE)
        assert t["heat"][0, row, col] == 1.0
        assert t["type_label"][row, col] == cls
    assert t["type_weight"][7, 12] > 0 and t["type_weight"][22, 25] == 0  # a papule's cell; the unsure type
    assert t["type_weight"][t["type_label"] == 0].sum() == pytest.approx(0.5)  # typed unsure by its labeller
    assert t["type_weight"][t["type_label"] == 2].sum() == pytest.approx(1.0)
    assert t["type_label"][5, 30] == NOT_LESION and t["hard"][0, 5, 30] == 1 and t["heat"][0, 5, 30] < 0.01
    assert (t["type_label"] == NOT_LESION).sum() == t["hard"].sum()  # the negative on a lesion is skipped
    assert t["hard"][0, 22, 25] == 0
    assert t["weight"][0, 7, 12] > 0 and np.all(t["ltrb"][:, 7, 12] > 0)


def test_augmented_views_carry_their_circles(closeups: tuple[Path, Path]) -> None:
    coco, data = closeups
    sample = load_closeups(coco, data)[0]
    rng = np.random.default_rng(0)
    for _ in range(6):
        view, circles, types, sure, _ = augment_closeup(sample, rng, 128, camera=False)
        assert view.shape == (128, 128, 3) and len(circles) == len(types) == len(sure)
        grey = view.astype(np.float32).mean(axis=2)
        lit = grey > 8
        for x, y, r in circles:
            if r < 3:
                continue
            yy, xx = np.mgrid[0:128, 0:128]
            disc = ((xx + 0.5 - x) ** 2 + (yy + 0.5 - y) ** 2 <= (0.5 * r) ** 2) & lit
            ring = ((xx + 0.5 - x) ** 2 + (yy + 0.5 - y) ** 2 >= (1.8 * r) ** 2) & \
                   ((xx + 0.5 - x) ** 2 + (yy + 0.5 - y) ** 2 <= (3 * r) ** 2) & lit
            if disc.sum() >= 3 and ring.sum() >= 10:
                assert grey[disc].mean() < grey[ring].mean() - 10  # the dot is where its circle went


def test_shades_of_grey_removes_a_colour_cast_and_keeps_padding_black() -> None:
    rng = np.random.default_rng(0)
    grey = rng.integers(60, 200, (40, 70, 1)).repeat(3, axis=2).astype(np.float32)
    cast = np.clip(grey * np.array([1.2, 1.0, 0.7]), 0, 255).astype(np.uint8)
    cast[:, :8] = 0
    out = shades_of_grey(cast)
    means = out[:, 8:].reshape(-1, 3).mean(axis=0)
    assert np.ptp(means) < 0.1 * np.ptp(cast[:, 8:].reshape(-1, 3).mean(axis=0))
    assert out[:, :8].max() == 0
    padded = prepare(cast[:37, :70])
    assert padded.shape == (64, 96, 3) and padded[37:].max() == 0


def test_decode_rings_types_at_the_peak_and_vetoes_not_a_lesion() -> None:
    heat = np.zeros((16, 16), np.float32)
    heat[4, 5], heat[10, 10], heat[14, 2] = 0.9, 0.8, 0.7
    size = np.full((2, 16, 16), 12.0, np.float32)
    offset = np.full((2, 16, 16), 0.5, np.float32)
    probs = np.full((len(TYPE_CLASSES), 16, 16), 0.01, np.float32)
    probs[3, 4, 5] = 0.9  # pustule
    probs[NOT_LESION, 10, 10] = 0.9
    probs[LOOKALIKE, 14, 2] = 0.9
    rings = decode_rings(heat, size, offset, probs, min_score=0.3, height=50, width=64)
    assert [(r.type, round(r.x), round(r.y)) for r in rings] == [("pustule", 22, 18)]  # row 14 is padding
    assert rings[0].r == pytest.approx(6.0)
    assert [r.type for r in decode_rings(heat, size, offset, probs, min_score=0.3)] == ["pustule", "lookalike"]


def test_one_training_step_is_finite_and_a_run_resumes(closeups: tuple[Path, Path], tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    torch = pytest.importorskip("torch")
    pytest.importorskip("efficientnet_lite_pytorch")
    from comedo_train import train_closeups as tc

    coco, data = closeups
    samples = load_closeups(coco, data)
    args = tc._parser().parse_args(["--coco", str(coco), "--holdout", "x", "--out", "o"])
    model = tc.build_model(side=64, pretrained=False)
    rng = np.random.default_rng(0)
    images, tgt = tc.batch_targets([augment_closeup(s, rng, 64) for s in samples], 64)
    loss, parts = tc.training_loss(model.train(), images, tgt, torch.from_numpy(tc.class_weights(samples)), args)
    loss.backward()
    assert np.isfinite(loss.item()) and all(np.isfinite(v) for v in parts.values()) and parts["type"] > 0
    assert any(p.grad is not None and float(p.grad.abs().sum()) > 0 for p in model.kind.parameters())

    out = tmp_path / "run"
    common = ["--coco", str(coco), "--data", str(data), "--holdout", "lesion-types-more", "--out", str(out),
              "--crop", "64", "--batch", "2", "--no-pretrained", "--threads", "1"]
    assert tc.main([*common, "--epochs", "1"]) == 0
    assert tc.main([*common, "--epochs", "2", "--resume"]) == 0
    assert "resumed at epoch 1" in capsys.readouterr().out
    history = [json.loads(line) for line in (out / "history.jsonl").read_text().splitlines()]
    assert [h["epoch"] for h in history] == [0, 1]
    assert all(h["holdout"] == "lesion-types-more" and "f1_overall" in h for h in history)
    assert torch.load(out / "last.pt", weights_only=False)["epoch"] == 1 and (out / "best.pt").exists()


def test_a_run_on_every_source_keeps_last_and_exports_with_a_given_threshold(
        closeups: tuple[Path, Path], tmp_path: Path) -> None:
    """``--holdout none`` trains on both sources and validates on none (no best.pt); its export needs the
    threshold chosen elsewhere, writes it and the pooling fit into the card, and the package reads the card."""
    pytest.importorskip("torch")
    pytest.importorskip("efficientnet_lite_pytorch")
    from comedo.detect.closeup import CloseupDetector
    from comedo_train import export_closeups as ec
    from comedo_train import train_closeups as tc

    coco, data = closeups
    out = tmp_path / "run"
    assert tc.main(["--coco", str(coco), "--data", str(data), "--holdout", "none", "--out", str(out), "--crop", "64",
                    "--batch", "3", "--no-pretrained", "--threads", "1", "--epochs", "1"]) == 0
    assert (out / "last.pt").exists() and not (out / "best.pt").exists()
    with pytest.raises(SystemExit):  # no held-out source to fit the threshold on
        ec.main([str(out / "last.pt"), "--coco", str(coco), "--data", str(data), "--holdout", "none",
                 "--out", str(tmp_path / "w")])
    fit = tmp_path / "fit.json"
    fit.write_text(json.dumps({"pooling": "log_linear", "whole_frame_weight": 0.4, "deep_likely": 0.35}))
    assert ec.main([str(out / "last.pt"), "--coco", str(coco), "--data", str(data), "--holdout", "none",
                    "--threshold", "0.25", "--photo-type-fit", str(fit), "--out", str(tmp_path / "w")]) == 0
    card = json.loads((tmp_path / "w" / ec.CARD_NAME).read_text())
    assert card["inference"]["operating_threshold"] == 0.25 and card["metrics_holdout"] is None
    assert card["training"]["checkpoint_choice"].startswith("last.pt")
    detector = CloseupDetector(tmp_path / "w" / ec.CARD_NAME, threads=1)
    assert detector.card.deep_likely == 0.35 and detector.card.whole_frame_weight == 0.4
    assert detector.card.photo_type_pooling == "log_linear"


def test_type_loss_by_hand_and_unsure_left_out() -> None:
    torch = pytest.importorskip("torch")
    from comedo_train.train_closeups import type_loss

    n = len(TYPE_CLASSES)
    logits = torch.zeros(1, n, 2, 2)
    label = torch.tensor([[[2, IGNORE], [IGNORE, IGNORE]]])
    weight = torch.tensor([[[1.0, 0.0], [0.0, 0.0]]])
    ones = torch.ones(n)
    assert float(type_loss(logits, label, weight, ones)) == pytest.approx(np.log(n), rel=1e-5)
    assert float(type_loss(logits, label, weight, ones, q=1.0)) == pytest.approx(1 - 1 / n, rel=1e-5)
    logits[0, 2, 0, 0] = 5.0  # confident and right: smoothing keeps a floor, plain cross-entropy nearly 0
    plain = float(type_loss(logits, label, weight, ones))
    assert plain < 0.05 < float(type_loss(logits, label, weight, ones, smoothing=0.1))
    assert float(type_loss(logits, torch.full_like(label, IGNORE), weight, ones)) == 0.0
