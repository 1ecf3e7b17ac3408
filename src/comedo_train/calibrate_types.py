"""Calibrate the exported type network's photo-level answer on the training folder's held-out families.

    python -m comedo_train.calibrate_types runs/types_lite/split.json --data ../shared/data/lesion-types \\
        --views 2 --out runs/types_lite/calibration.json

Three numbers, all fitted on the held-out families of the training folder (never on the external set):
- ``temperature``: the one that minimises the negative log-likelihood of the true type (Guo et al., ICML 2017),
  so that a probability of 0.7 is right about 70 % of the time;
- ``comedonal_min_confidence``: the smallest comedonal probability (in 0.05 steps, at least 0.5) at which at most
  ``--max-false-comedonal`` of the held-out inflamed and deep photos would be called comedonal, since that name
  opens the extraction protocol;
- ``deep_veto``: the largest deep-group probability (0.1-0.3) under which at most ``--max-deep-eligible`` of the
  held-out nodule and cyst photos would still be offered the protocol: above it, a nodule or cyst is not ruled out;
- ``group_min_confidence`` and ``photo_min_confidence`` stay 0.5: with calibrated probabilities, "more likely
  than not" is what naming a group or a type should mean.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from comedo.classify.lesion_types import TYPE_NAMES, group_probabilities
from comedo.classify.onnx_classifier import OnnxTypeClassifier, calibrated
from comedo.io import load_image
from comedo_train.lesion_types import CLASSES


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("split", type=Path, help="split.json of the training run (its 'valid' photos)")
    parser.add_argument("--data", type=Path, default=Path("../shared/data/lesion-types"))
    parser.add_argument("--card", type=Path, default=Path("src/comedo/nets/weights/lesion_types.card.json"))
    parser.add_argument("--views", type=int, choices=(1, 2, 7), default=2)
    parser.add_argument("--max-false-comedonal", type=float, default=0.05)
    parser.add_argument("--max-deep-eligible", type=float, default=0.01)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    classifier = OnnxTypeClassifier(args.card)
    object.__setattr__(classifier.card, "views", args.views)  # the views the card will carry
    order = list(classifier.card.labels)
    index = [order.index(t) for t in TYPE_NAMES]
    held_out = json.loads(args.split.read_text())["valid"]
    if not held_out:
        parser.error(f"{args.split} holds no held-out photos (a run trained on every photo)")
    probs, truth = [], []
    for rel in held_out:
        probs.append(classifier.photo_probabilities(load_image(args.data / rel).pixels)[index])
        truth.append(CLASSES.index(Path(rel).parent.name))
    raw, y = np.stack(probs), np.array(truth)

    def nll(t: float) -> float:
        return float(-np.log(np.clip(calibrated(raw, t)[np.arange(len(y)), y], 1e-12, 1)).mean())

    grid = np.round(np.arange(0.5, 3.01, 0.05), 2)
    temperature = float(grid[int(np.argmin([nll(t) for t in grid]))])
    cal = calibrated(raw, temperature)
    comedonal = group_probabilities(cal)[:, 0]
    not_comedonal = y >= 2  # papule, pustule, nodule, cyst (CLASSES order)
    threshold = next(float(t) for t in np.round(np.arange(0.5, 1.0, 0.05), 2)
                     if (comedonal[not_comedonal] >= t).mean() <= args.max_false_comedonal)
    # The deep veto: the largest deep-group probability (0.1-0.3) at which at most --max-deep-eligible of the
    # held-out nodule and cyst photos would still be eligible for the protocol (called comedonal, under the veto).
    deep = group_probabilities(cal)[:, 2]
    is_deep = y >= 4
    veto = max((float(d) for d in (0.3, 0.25, 0.2, 0.15, 0.1)
                if ((comedonal >= threshold) & (deep < d))[is_deep].mean() <= args.max_deep_eligible), default=0.1)
    eligible = (comedonal >= threshold) & (deep < veto)
    result = {
        "temperature": temperature, "group_min_confidence": 0.5, "photo_min_confidence": 0.5,
        "comedonal_min_confidence": threshold, "deep_veto": veto, "views": args.views,
        "note": (f"fitted on the {len(y)} held-out-family photos of the training folder "
                 "(comedo_train.calibrate_types): temperature by NLL, the comedonal threshold so that at most "
                 f"{args.max_false_comedonal:.0%} of held-out inflamed or deep photos are called comedonal, the deep "
                 f"veto so that at most {args.max_deep_eligible:.0%} of held-out nodules and cysts stay eligible "
                 "for the protocol"),
        "held_out": {"photos": int(len(y)), "nll_before": round(nll(1.0), 4), "nll_after": round(nll(temperature), 4),
                     "inflamed_or_deep_called_comedonal": round(float((comedonal[not_comedonal] >= threshold).mean()),
                                                                4),
                     "comedonal_recall": round(float((comedonal[~not_comedonal] >= threshold).mean()), 4),
                     "eligible_by_type": {t: round(float(eligible[y == k].mean()), 4)
                                          for k, t in enumerate(TYPE_NAMES)},
                     "accuracy": round(float((cal.argmax(1) == y).mean()), 4)},
    }
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
