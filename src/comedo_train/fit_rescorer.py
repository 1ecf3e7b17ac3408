"""Fit the detector's candidate rescorer (``comedo.detect.rescore``) on ACNE04 *train*, check it on valid.

    python -m comedo_train.fit_rescorer --data ../shared/data/acne04 [--write-card]
    python -m comedo_train.fit_grade_model --data ../shared/data/acne04 --write-card   # then, always

The detector runs *without* a rescorer through the full ``analyze`` pipeline on every train and valid photo
(cached in ``--cache``). Each candidate is labelled by whether it matches a labelled box at IoU 0.5 (greedy
by score, each box once, as AP50 counts), and a logistic regression on its features and their squares is
fitted on train. Valid is scored: AP50 before and after, and the count MAE at the count threshold chosen
on valid (as ``calibrate_detector`` chooses it) and, as a cross-check, at the one chosen on train.
``--write-card`` stores the rescorer and the valid-chosen threshold in the detector's card and drops the
card's grade model, whose features are counts of the old scores: re-fit it next.
Deterministic: full-batch gradient descent from zeros.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image

from comedo.detect.decode import box_iou
from comedo.detect.onnx_detector import OnnxDetector
from comedo.detect.rescore import CandidateRescorer, candidate_features
from comedo.nets.registry import WEIGHTS_DIR
from comedo.workflows.evaluate import (
    Dataset,
    DetectorRun,
    best_count_threshold,
    load_dataset,
)
from comedo.workflows.metrics import average_precision
from comedo_train.cached_runs import cached_predictions

CARD = WEIGHTS_DIR / "lesion_detector.card.json"
CONFIDENT = 0.23  # the raw operating threshold the detector was calibrated to before rescoring
SIZED_FROM = 0.2
MIN_SCORE = 0.05
L2 = 1e-3


def raw_detector(tmp: Path) -> OnnxDetector:
    """The shipped detector without its rescorer, at its raw operating threshold."""
    card = json.loads(CARD.read_text())
    rescorer = card["inference"].pop("rescorer", None)
    if rescorer is not None:
        card["inference"]["operating_threshold"] = rescorer["confident"]
    shutil.copy(WEIGHTS_DIR / card["file"], tmp / card["file"])
    (tmp / CARD.name).write_text(json.dumps(card))
    return OnnxDetector(tmp / CARD.name)


def candidates_of(ds: Dataset, cache: Path, tmp: Path) -> list[tuple[np.ndarray, np.ndarray]]:
    """Each photo's raw candidates (boxes in the detector's input frame, scores), from the cached run of the
    detector without its rescorer."""
    long_side = int(json.loads(CARD.read_text())["inference"]["input_long_side"])
    out = []
    run = cached_predictions(ds, cache, lambda: raw_detector(tmp))
    for path, (boxes, scores) in zip(ds.files, run.predictions, strict=True):
        with Image.open(path) as im:
            out.append((boxes * (long_side / max(im.size)), scores))
    return out


def matched(boxes: np.ndarray, scores: np.ndarray, truth: np.ndarray, iou: float = 0.5) -> np.ndarray:
    """1 for each candidate that AP50 would count as a true positive, else 0."""
    hit = np.zeros(len(scores))
    if len(scores) == 0 or len(truth) == 0:
        return hit
    overlaps = box_iou(boxes, truth)
    free = np.ones(len(truth), bool)
    for i in np.argsort(-scores, kind="stable"):
        best = np.where(free, overlaps[i], -1.0)
        j = int(np.argmax(best))
        if best[j] >= iou:
            hit[i], free[j] = 1.0, False
    return hit


def fit(features: np.ndarray, labels: np.ndarray, *, iters: int = 3000, lr: float = 0.5) -> CandidateRescorer:
    mean, scale = features.mean(axis=0), features.std(axis=0) + 1e-9
    model = CandidateRescorer(CONFIDENT, SIZED_FROM, MIN_SCORE, mean, scale, np.zeros(2 * features.shape[1] + 1))
    design = model.design(features)
    weights = np.zeros(design.shape[1])
    for _ in range(iters):
        p = 1 / (1 + np.exp(-(design @ weights)))
        weights -= lr * (design.T @ (p - labels) / len(labels) + L2 * np.r_[0.0, weights[1:]])
    return CandidateRescorer(CONFIDENT, SIZED_FROM, MIN_SCORE, mean, scale, weights)


def count_mae(preds: list[tuple[np.ndarray, np.ndarray]], ds: Dataset, threshold: float) -> float:
    return float(np.abs(DetectorRun("rescored", threshold, preds, 0.0).counts(threshold)
                        - np.array([len(t) for t in ds.boxes])).mean())


def best_threshold(preds: list[tuple[np.ndarray, np.ndarray]], ds: Dataset) -> float:
    """The count threshold over 0.05-0.70 with the lowest count MAE (``evaluate.best_count_threshold``)."""
    return best_count_threshold(ds, DetectorRun("rescored", CONFIDENT, preds, 0.0),
                                grid=np.round(np.arange(0.05, 0.71, 0.01), 2))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path("../shared/data/acne04"))
    parser.add_argument("--cache", type=Path, default=Path("runs/rescorer"))
    parser.add_argument("--write-card", action="store_true")
    args = parser.parse_args(argv)
    train, valid = load_dataset(args.data / "train"), load_dataset(args.data / "valid")
    with tempfile.TemporaryDirectory() as tmp:
        raw_train = candidates_of(train, args.cache / "train.npz", Path(tmp))
        raw_valid = candidates_of(valid, args.cache / "valid.npz", Path(tmp))
    features = np.concatenate([candidate_features(b, s, confident=CONFIDENT, sized_from=SIZED_FROM)
                               for b, s in raw_train])
    labels = np.concatenate([matched(b, s, t) for (b, s), t in zip(raw_train, train.boxes, strict=True)])
    model = fit(features, labels)
    new_valid = [(b, model.rescore(b, s)) for b, s in raw_valid]
    new_train = [(b, model.rescore(b, s)) for b, s in raw_train]
    chosen, train_chosen = best_threshold(new_valid, valid), best_threshold(new_train, train)
    report = {
        "train_candidates": int(len(labels)), "train_matched_share": round(float(labels.mean()), 4),
        "valid_ap50_raw": round(average_precision(raw_valid, valid.boxes, iou_threshold=0.5), 4),
        "valid_ap50_rescored": round(average_precision(new_valid, valid.boxes, iou_threshold=0.5), 4),
        "valid_count_mae_raw_at_0.23": round(count_mae(raw_valid, valid, CONFIDENT), 3),
        "threshold_chosen_on_valid": chosen, "valid_count_mae": round(count_mae(new_valid, valid, chosen), 3),
        "threshold_chosen_on_train": train_chosen,
        "valid_count_mae_at_train_threshold": round(count_mae(new_valid, valid, train_chosen), 3),
    }
    print(json.dumps(report, indent=1))
    if args.write_card:
        card = json.loads(CARD.read_text())
        card["inference"]["rescorer"] = {
            **model.to_dict(),
            "fitted": "python -m comedo_train.fit_rescorer --data ../shared/data/acne04 --write-card",
            "data": "ACNE04 train candidates (2973 images), labelled by a match to a labelled box at IoU 0.5",
            "metrics": report,
        }
        card["inference"]["operating_threshold"] = chosen
        dropped = card["inference"].pop("grade_model", None) is not None
        CARD.write_text(json.dumps(card, indent=2) + "\n")
        print(f"wrote the rescorer and threshold {chosen} into {CARD}"
              + ("; the grade model was dropped: run comedo_train.fit_grade_model --write-card" if dropped else ""))


if __name__ == "__main__":
    main()
