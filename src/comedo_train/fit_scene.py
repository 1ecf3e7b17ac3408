"""Fit the close-up vs wide scene model and check it against hand labels.

    python -m comedo_train.fit_scene --data ../shared/data --labels data/scene_labels.csv --out src/comedo/nets/weights
    python -m comedo_train.fit_scene --check   # re-measure the shipped model (e.g. after a skin-mask change)

Fitting data: 96 lesion-type photos from the training families labelled by hand
(``data/scene_labels_fit.csv``) plus ``--acne04`` ACNE04 photos (all wide face
views, one per source). A first attempt that used the data source as the label
(ACNE04 = wide, lesion-types = close-up) only learned to tell the two data sets
apart and called every web face photo a close-up, hence the hand labels.
The model is a logistic regression on standardised ``comedo.classify.scene.FEATURE_NAMES``
(L2, full-batch gradient descent, numpy only). The check set
(``data/scene_labels.csv``, 48 photos from the held-out families of the
lesion-type split) is never used for fitting.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
from pathlib import Path

import numpy as np

from comedo.classify.scene import FEATURE_NAMES, scene_features
from comedo.io import load_image
from comedo.measure.colour import colour_planes
from comedo.measure.darkspots import find_dark_spots
from comedo.measure.skin import segment_skin
from comedo.pipeline import analysis_pixels


def features_of(path: Path) -> np.ndarray:
    img, _ = analysis_pixels(load_image(path).pixels)  # the pipeline's own resize, so features match analyze's
    planes = colour_planes(img)
    skin = segment_skin(planes).mask
    spots = find_dark_spots(planes.lightness, skin)
    return scene_features(planes, skin, spots)


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 1e-2, steps: int = 3000) -> tuple[np.ndarray, float]:
    w, b = np.zeros(x.shape[1]), 0.0
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(x @ w + b)))
        grad_w = x.T @ (p - y) / len(y) + l2 * w
        grad_b = float(np.mean(p - y))
        w -= 0.5 * grad_w
        b -= 0.5 * grad_b
    return w, b


def check_against_labels(mean: np.ndarray, std: np.ndarray, w: np.ndarray, b: float, data: Path,
                         labels: Path) -> dict[str, object]:
    """Close-up vs wide figures of a fitted model on the hand-labelled check photos (the instrument classifier
    and the scene stage as a whole are measured by ``comedo_train.check_scene``)."""
    rows = list(csv.DictReader(labels.open()))
    hx = [features_of(data / row["path"]) for row in rows]
    pred_close = (((np.stack(hx) - mean) / std) @ w + b) > 0
    truth_close = np.array([r["scene"] == "close_up" for r in rows])
    return {
        "hand_labelled_photos": len(rows),
        "scene_accuracy_hand_labels": round(float((pred_close == truth_close).mean()), 4),
        "scene_confusion_rows_truth_close_wide": [
            [int((truth_close & pred_close).sum()), int((truth_close & ~pred_close).sum())],
            [int((~truth_close & pred_close).sum()), int((~truth_close & ~pred_close).sum())]],
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--labels", type=Path, default=Path("data/scene_labels.csv"))
    parser.add_argument("--fit-labels", type=Path, default=Path("data/scene_labels_fit.csv"))
    parser.add_argument("--out", type=Path, default=Path("src/comedo/nets/weights"))
    parser.add_argument("--acne04", type=int, default=60)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--check", action="store_true",
                        help="do not fit: measure the model already in --out/scene.json on --labels and record it "
                             "there")
    args = parser.parse_args(argv)
    if args.check:
        path = args.out / "scene.json"
        model = json.loads(path.read_text())
        figures = check_against_labels(np.array(model["mean"]), np.array(model["std"]), np.array(model["coef"]),
                                       float(model["intercept"]), args.data, args.labels)
        # Instrument figures belong to the instrument classifier now (comedo_train.check_scene), not this model.
        for stale in ("instrument_fit_set", "instrument_hand_labels"):
            model["evaluation"].pop(stale, None)
        model["evaluation"].update(figures, checked_by="python -m comedo_train.fit_scene --check")
        path.write_text(json.dumps(model, indent=2) + "\n")
        print(json.dumps(figures, indent=2))
        return
    rng = random.Random(args.seed)
    coco = json.loads((args.data / "acne04/train/annotations.json").read_text())
    by_source: dict[str, str] = {}
    for im in coco["images"]:
        by_source.setdefault(im["source"], im["file_name"])
    wide = [args.data / "acne04/train/images" / f for f in sorted(by_source.values())]
    rng.shuffle(wide)
    fit_rows = list(csv.DictReader(args.fit_labels.open()))
    paths = wide[: args.acne04] + [args.data / r["path"] for r in fit_rows]
    y = np.array([0.0] * len(wide[: args.acne04]) + [float(r["scene"] == "close_up") for r in fit_rows])
    x = np.stack([features_of(p) for p in paths])
    mean, std = x.mean(axis=0), x.std(axis=0) + 1e-9
    w, b = fit_logistic((x - mean) / std, y)
    train_acc = float((((((x - mean) / std) @ w + b) > 0) == (y > 0.5)).mean())
    report = {
        "fit_photos": len(y), "fit_accuracy": round(train_acc, 4),
        **check_against_labels(mean, std, w, b, args.data, args.labels),
    }
    model = {"name": "scene-logistic", "features": list(FEATURE_NAMES), "mean": mean.tolist(), "std": std.tolist(),
             "coef": w.tolist(), "intercept": b,
             "fitted_by": "python -m comedo_train.fit_scene --data ../shared/data --labels data/scene_labels.csv",
             "evaluation": report}
    (args.out / "scene.json").write_text(json.dumps(model, indent=2) + "\n")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
