"""Choose the detector's count threshold on ACNE04 train by cross-validation over source photos, not on valid.

    python -m comedo_train.calibrate_threshold --data ../shared/data/acne04 [--write-card]

Runs the shipped detector through the full ``analyze`` pipeline on every train photo (cached in ``--cache``), then
for each of five folds of source photos chooses the threshold with the lowest count MAE on the other four and
scores the held-out fold: the out-of-fold figures say what the choice is worth on photos it was not chosen on. The
threshold chosen on all of train is the one to ship; valid is only scored, never used to choose.
"""

from __future__ import annotations

import argparse
import json
import pickle
from pathlib import Path

import numpy as np

from comedo.detect.registry import get_detector
from comedo.nets.registry import card_path
from comedo.workflows.evaluate import best_count_threshold, load_dataset, run_detector, score_run


def folds_by_source(sources: list[str], k: int, seed: int = 0) -> list[list[int]]:
    """``k`` folds of photo indices, each source photo's copies in one fold."""
    unique = sorted(set(sources))
    rng = np.random.default_rng(seed)
    rng.shuffle(unique)
    fold_of = {s: i % k for i, s in enumerate(unique)}
    return [[i for i, s in enumerate(sources) if fold_of[s] == f] for f in range(k)]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path("../shared/data/acne04"))
    parser.add_argument("--cache", type=Path, default=Path("runs/threshold_cv"))
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--write-card", action="store_true", help="store the train-chosen threshold in the card")
    args = parser.parse_args(argv)
    args.cache.mkdir(parents=True, exist_ok=True)
    runs = {}
    for split in ("train", "valid"):
        ds = load_dataset(args.data / split)
        cached = args.cache / f"{split}.pkl"
        if cached.exists():
            run = pickle.loads(cached.read_bytes())
        else:
            run = run_detector(ds, get_detector("model"))
            cached.write_bytes(pickle.dumps(run))
        runs[split] = (ds, run)
    ds, run = runs["train"]
    oof_err, oof_right, chosen = [], [], []
    true_counts = np.array([len(b) for b in ds.boxes])
    for held in folds_by_source(ds.sources, args.folds):
        rest = sorted(set(range(len(ds.files))) - set(held))
        thr = best_count_threshold(ds, run, rest)
        chosen.append(thr)
        oof_err += list(np.abs(run.counts(thr)[held] - true_counts[held]))
        grades = run.grades(thr)
        oof_right += [grades[i] == ds.grades[i] for i in held if ds.grades[i] is not None]
    final = best_count_threshold(ds, run)
    vds, vrun = runs["valid"]
    report = {
        "thresholds_chosen_per_fold": chosen, "threshold_all_train": final,
        "train_out_of_fold": {"count_mae": round(float(np.mean(oof_err)), 3),
                              "grade_accuracy": round(float(np.mean(oof_right)), 4)},
        "train_at_shipped_threshold": {k: v for k, v in score_run(ds, run).items() if k in ("count_mae",
                                                                                          "grade_accuracy")},
        "shipped_threshold": run.operating_threshold,
        "valid_at_train_threshold": {k: v for k, v in score_run(vds, vrun, final).items()
                                     if k in ("count_mae", "estimated_count_mae", "grade_accuracy", "ap50",
                                              "circles_recall", "circles_precision")},
    }
    print(json.dumps(report, indent=1))
    if args.write_card:
        path = card_path("lesion_detector")
        card = json.loads(path.read_text())
        card["inference"]["operating_threshold"] = final
        card.setdefault("calibration", {})["operating_threshold"] = {
            "chosen_on": "ACNE04 train, lowest count MAE (comedo_train.calibrate_threshold)", **report}
        path.write_text(json.dumps(card, indent=2) + "\n")
        print(f"wrote threshold {final} into {path}")


if __name__ == "__main__":
    main()
