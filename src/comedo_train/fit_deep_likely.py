"""Fit the type card's ``deep_likely``: the deep-group probability from which a nodule or cyst is likely enough for
the triage to say "see a GP or dermatologist" (routine), on the training folder's held-out families only.

    python -m comedo_train.fit_deep_likely --data ../shared/data/lesion-types [--max-comedo-routine 0.10]

The held-out families are the split ``comedo_train.train_types`` makes (seed 0). The threshold is the smallest
one, in 0.05 steps from 0.2 to 0.5, at which at most ``--max-comedo-routine`` of the held-out blackhead and
whitehead photos would reach it: sending a calm comedone to a GP is the cost, missing a nodule the harm. It prints
the share of held-out nodules and cysts each threshold reaches beside it. Never fitted on the external set.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from comedo.classify.lesion_types import TYPE_NAMES, group_probabilities
from comedo.classify.registry import get_type_classifier
from comedo.io import load_image
from comedo_train.lesion_types import CLASSES, link_duplicates, scan, split


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path("../shared/data/lesion-types"))
    parser.add_argument("--max-comedo-routine", type=float, default=0.10)
    args = parser.parse_args(argv)
    classifier = get_type_classifier()
    if classifier is None:
        parser.error("this build has no lesion-type model")
    index = [list(classifier.card.labels).index(t) for t in TYPE_NAMES]
    kept, component, _ = link_duplicates(scan(args.data / "train"))
    _, valid = split(kept, component, seed=0)
    deep = np.array([float(group_probabilities(classifier.classify_photo(load_image(it.path).pixels)[index])[2])
                     for it in valid])
    truth = np.array([CLASSES[it.label] for it in valid])
    comedo, nodular = np.isin(truth, ("blackhead", "whitehead")), np.isin(truth, ("nodule", "cyst"))
    grid = [round(float(t), 2) for t in np.arange(0.2, 0.501, 0.05)]
    table = {t: {"comedo_routine": round(float((deep[comedo] >= t).mean()), 4),
                 "nodule_cyst_reached": round(float((deep[nodular] >= t).mean()), 4)} for t in grid}
    chosen = next((t for t in grid if table[t]["comedo_routine"] <= args.max_comedo_routine), 0.5)
    print(json.dumps({"held_out_photos": len(valid), "deep_likely": chosen, "by_threshold": table}, indent=2))


if __name__ == "__main__":
    main()
