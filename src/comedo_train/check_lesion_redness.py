"""Redness per lesion on close-ups: is a blackhead or whitehead read as calm and a papule or pustule as inflamed?

    python -m comedo_train.check_lesion_redness ../shared/data/lesion-types/external

Each photo of a type folder (blackhead, whitehead, papule, pustule, nodule, cyst) goes through ``comedo.analyze``
as a user's would; for those read as close-ups, every lesion's Delta a* against the person's own skin in the same
photo (``lesions[].redness_delta_a``) and its irritation grade are collected by the folder's type. Printed per
type: close-ups, lesions, the median lesion Delta a*, the share of lesions graded moderate or marked (what stops
the extraction protocol), and the share of close-ups whose median lesion is; then the ROC AUC of a photo's median
lesion Delta a* for the comedonal types (blackhead, whitehead) against the superficial inflamed ones (papule,
pustule). A measurement only: nothing here is fitted.
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from pathlib import Path

import numpy as np

from comedo.files import IMAGE_SUFFIXES
from comedo.pipeline import analyze
from comedo.workflows.metrics import roc_auc

TYPES = ("blackhead", "whitehead", "papule", "pustule", "nodule", "cyst")
RED = ("moderate", "marked")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", type=Path)
    args = parser.parse_args(argv)
    deltas: dict[str, list[float]] = defaultdict(list)
    red: dict[str, list[bool]] = defaultdict(list)
    photo_median: dict[str, list[float]] = defaultdict(list)
    for kind in TYPES:
        folder = args.folder / kind
        if not folder.is_dir():
            continue
        for path in sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES):
            a = analyze(path)
            if a.scene is None or a.scene.view != "close_up" or len(a.lesions) == 0:
                continue
            values = np.asarray(a.lesions.redness_delta_a, float)
            values = values[np.isfinite(values)]
            if values.size == 0:
                continue
            deltas[kind] += values.tolist()
            red[kind] += [getattr(g, "value", g) in RED for g in a.lesions.irritation]
            photo_median[kind].append(float(np.median(values)))
    print(f"{'type':<10} {'close-ups':>9} {'lesions':>8} {'median da*':>10} {'lesions red':>11} {'photos red':>10}")
    for kind in TYPES:
        if not photo_median[kind]:
            continue
        share_photos = float(np.mean([m >= 5.0 for m in photo_median[kind]]))  # moderate or marked
        print(f"{kind:<10} {len(photo_median[kind]):>9} {len(deltas[kind]):>8} {np.median(deltas[kind]):>10.1f} "
              f"{np.mean(red[kind]):>11.0%} {share_photos:>10.0%}")
    calm = photo_median["blackhead"] + photo_median["whitehead"]
    inflamed = photo_median["papule"] + photo_median["pustule"]
    if calm and inflamed:
        scores = np.array(calm + inflamed)
        truth = np.array([0] * len(calm) + [1] * len(inflamed), bool)
        print(f"AUC, a close-up's median lesion Delta a*, papule/pustule vs blackhead/whitehead: "
              f"{roc_auc(scores, truth):.3f} ({len(inflamed)} vs {len(calm)} close-ups)")


if __name__ == "__main__":
    main()
