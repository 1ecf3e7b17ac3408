"""Fit a close-up's answer from its rings and its whole frame on photos neither network learned from.

    python -m comedo_train.fit_closeup_pooling --detector-card runs/closeups/B/export/closeup_detector.json \\
        --json-out runs/closeups/pooling_fit.json

The photos are the held-out families of ``lesion-types/train`` (``comedo_train.train_types``'s split, seed 0: the
type network never trained on them) and the detector must be one trained without ``lesion-types/train`` (the
leave-one-source-out run ``--holdout lesion-types/train``), so both inputs are out of sample. Each photo's truth is
its folder's type, as ``comedo evaluate-types`` and the issue's targets count it.

For each pooling (``linear`` / ``log_linear``, ``comedo.classify.lesion_types.type_photo_from_rings``), whole-frame
weight ``w`` (0-1 in 0.1 steps) and deep threshold ``deep_likely`` (0.2-0.6 in 0.05 steps), it scores the six-type
and group macro-F1 (an unsure answer is a miss) and the shares of blackhead/whitehead photos and of nodule/cyst
photos the deep rule sends to a doctor. The choice: the best mean of the two F1 among settings that send at most
``--max-comedo-deep`` of the comedones (the rule ``fit_deep_likely`` applies to the whole frame alone), the deep
reach breaking ties. External photos play no part. Network outputs are cached (``--cache``) so refits are cheap.
"""

from __future__ import annotations

import argparse
import json
import pickle
from collections import Counter
from pathlib import Path

import numpy as np

from comedo.classify.lesion_types import TYPE_NAMES, type_photo, type_photo_from_rings
from comedo.detect.closeup import CloseupDetector
from comedo.io import load_image
from comedo.types import LesionType
from comedo_train.fit_closeup_photo_type import macro_f1
from comedo_train.labelling.decisions import write_json
from comedo_train.lesion_types import CLASSES, link_duplicates, scan, split

__all__ = ["FOLDER_TYPE", "score_setting", "main"]

FOLDER_TYPE = {"blackhead": "open_comedo", "whitehead": "closed_comedo", "papule": "papule", "pustule": "pustule",
               "nodule": "nodule", "cyst": "cyst"}
WEIGHTS = tuple(round(0.1 * k, 1) for k in range(11))
DEEP_GRID = tuple(round(0.2 + 0.05 * k, 2) for k in range(9))
GROUPS = tuple(dict.fromkeys(LesionType(t).group.value for t in TYPE_NAMES))


def _outputs(paths: list[Path], detector: CloseupDetector, cache: Path | None) -> list[tuple]:
    """(whole-frame PhotoType, CloseupRings) per photo, read from ``cache`` when it holds these photos."""
    key = [str(p) for p in paths] + [detector.identity.get("sha256", "")]
    if cache is not None and cache.exists():
        stored = pickle.loads(cache.read_bytes())
        if stored["key"] == key:
            return stored["rows"]
    rows = []
    for i, path in enumerate(paths):
        rgb = load_image(path).pixels
        rows.append((type_photo(rgb), detector.detect(rgb)))
        if i % 100 == 0:
            print(f"{i}/{len(paths)} photos", flush=True)
    if cache is not None:
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_bytes(pickle.dumps({"key": key, "rows": rows}))
    return rows


def score_setting(truth: list[str], rows: list[tuple], *, pooling: str, weight: float,
                  deep_likely: float) -> dict[str, float]:
    """The answer's figures on ``rows`` for one setting (see the module's docstring)."""
    answers = []
    for whole, rings in rows:
        a = type_photo_from_rings(whole, rings.lesions, whole_frame_weight=weight, pooling=pooling,
                                  deep_likely=deep_likely)
        answers.append(a)
    groups = [LesionType(t).group.value for t in truth]
    comedo = [i for i, g in enumerate(groups) if g == "comedonal"]
    deep = [i for i, g in enumerate(groups) if g == "deep"]
    return {
        "types_macro_f1": round(macro_f1(truth, [a.label for a in answers], TYPE_NAMES), 4),
        "groups_macro_f1": round(macro_f1(groups, [a.group for a in answers], GROUPS), 4),
        "comedo_deep_share": round(float(np.mean([bool(answers[i].deep_likely) for i in comedo])), 4),
        "deep_reach": round(float(np.mean([bool(answers[i].deep_likely) for i in deep])), 4),
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m comedo_train.fit_closeup_pooling", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--detector-card", type=Path, required=True,
                   help="the card of a close-up detector trained without lesion-types/train")
    p.add_argument("--data", type=Path, default=Path("../shared/data/lesion-types"))
    p.add_argument("--max-comedo-deep", type=float, default=0.10)
    p.add_argument("--cache", type=Path, help="pickle of the networks' outputs (git-ignored runs/)")
    p.add_argument("--json-out", type=Path)
    args = p.parse_args(argv)
    detector = CloseupDetector(args.detector_card, threads=2)
    holdout = json.loads(args.detector_card.read_text()).get("training", {}).get("config", {}).get("holdout")
    if holdout != "lesion-types/train":
        p.error(f"the detector must have been trained without lesion-types/train (its holdout is {holdout!r})")
    kept, component, _ = link_duplicates(scan(args.data / "train"))
    _, valid = split(kept, component, seed=0)
    truth = [FOLDER_TYPE[CLASSES[it.label]] for it in valid]
    rows = _outputs([it.path for it in valid], detector, args.cache)
    table = {f"{pool} {w:g} {d:g}": score_setting(truth, rows, pooling=pool, weight=w, deep_likely=d)
             for pool in ("linear", "log_linear") for w in WEIGHTS for d in DEEP_GRID}
    allowed = [k for k, v in table.items() if v["comedo_deep_share"] <= args.max_comedo_deep] or list(table)
    best = max(allowed, key=lambda k: (table[k]["types_macro_f1"] + table[k]["groups_macro_f1"],
                                       table[k]["deep_reach"]))
    frame_only = max((k for k in allowed if k.startswith("linear 1 ")),
                     key=lambda k: (table[k]["types_macro_f1"] + table[k]["groups_macro_f1"], table[k]["deep_reach"]))
    pool, w, d = best.split()
    out = {"source": "lesion-types/train held-out families (train_types split, seed 0)", "photos": len(rows),
           "truth_counts": dict(Counter(truth)), "detector": detector.identity,
           "max_comedo_deep": args.max_comedo_deep, "pooling": pool, "whole_frame_weight": float(w),
           "deep_likely": float(d), "chosen": table[best], "frame_only": {frame_only: table[frame_only]},
           "by_setting": table}
    print(f"{len(rows)} photos; chosen {best}: {table[best]}; the whole frame alone ({frame_only}): "
          f"{table[frame_only]}")
    if args.json_out:
        write_json(args.json_out, out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
