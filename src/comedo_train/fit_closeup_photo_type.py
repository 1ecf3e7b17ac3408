"""Fit how much a close-up's answer listens to the whole frame against its ringed lesions, on the held-out source.

    python -m comedo_train.fit_closeup_photo_type runs/closeups/coco/closeups_train.json \\
        --source lesion-types-more --json-out runs/closeups/photo_type_fit.json

``comedo.classify.lesion_types.type_photo_from_rings`` mixes the whole frame's six type probabilities (the type
network, ``type_photo``) with the ringed lesions' (the close-up detector's rings, each weighted by score times
area) as ``w * frame + (1 - w) * rings`` (or log-linearly) and decides with the type card's thresholds. Here the
pooling and ``w`` are chosen on the photos of ``--source`` (a source neither network trained on), each photo's
truth being the type most of its labelled lesions have (sure labels of the six types; the larger total area breaks a
tie) and that type's group: the pooling and ``w`` of the best mean of the group and six-type macro-F1 (the two
figures the answer is judged by; the group's breaks a tie), an unsure answer counting as a miss, as ``comedo
evaluate-types`` counts it. External photos play no part.
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

import numpy as np

from comedo.classify.lesion_types import TYPE_NAMES, type_photo, type_photo_from_rings
from comedo.detect.closeup import get_closeup_detector
from comedo.types import LesionType
from comedo_train.closeup_data import load_closeups
from comedo_train.labelling.decisions import write_json
from comedo_train.labelling.vocab import DEFAULT_DATA

__all__ = ["photo_truth", "macro_f1", "main"]

WEIGHTS = tuple(round(0.1 * k, 1) for k in range(11))


def photo_truth(names: tuple[str, ...], sure: np.ndarray, radii: np.ndarray) -> str | None:
    """The type most of a photo's sure, acne-typed labels have (the larger total area breaks a tie); None
    without one."""
    counts: Counter = Counter()
    area: Counter = Counter()
    for name, s, r in zip(names, sure, radii, strict=True):
        if s and name in TYPE_NAMES:
            counts[name] += 1
            area[name] += float(r) ** 2
    if not counts:
        return None
    return max(counts, key=lambda t: (counts[t], area[t]))


def macro_f1(truth: list[str], predicted: list[str | None], classes: tuple[str, ...]) -> float:
    """Macro-F1 over ``classes`` present in ``truth``; a None prediction is a miss (counted for no class)."""
    scores = []
    for c in classes:
        tp = sum(t == c and p == c for t, p in zip(truth, predicted, strict=True))
        fp = sum(t != c and p == c for t, p in zip(truth, predicted, strict=True))
        fn = sum(t == c and p != c for t, p in zip(truth, predicted, strict=True))
        if tp + fn == 0:
            continue
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return float(np.mean(scores)) if scores else 0.0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m comedo_train.fit_closeup_photo_type", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("coco", type=Path)
    p.add_argument("--source", default="lesion-types-more")
    p.add_argument("--data", type=Path, default=DEFAULT_DATA)
    p.add_argument("--json-out", type=Path)
    args = p.parse_args(argv)
    detector = get_closeup_detector()
    if detector is None:
        p.error("no close-up detector in this build: export one first (comedo_train.export_closeups)")
    samples = load_closeups(args.coco, args.data, sources=(args.source,))
    rows = []
    for s in samples:
        truth = photo_truth(s.names, s.sure, s.circles[:, 2])
        if truth is None:
            continue
        rings = detector.detect(s.rgb)
        rows.append((truth, type_photo(s.rgb), rings))
    groups = tuple(dict.fromkeys(LesionType(t).group.value for t in TYPE_NAMES))
    table = {}
    for pooling, w in [(pool, w) for pool in ("linear", "log_linear") for w in WEIGHTS]:
        answers = [type_photo_from_rings(whole, rings.lesions, whole_frame_weight=w, pooling=pooling)
                   for _, whole, rings in rows]
        table[f"{pooling} {w:g}"] = {
            "groups_macro_f1": round(macro_f1([LesionType(t).group.value for t, _, _ in rows],
                                              [a.group for a in answers], groups), 4),
            "types_macro_f1": round(macro_f1([t for t, _, _ in rows], [a.label for a in answers], TYPE_NAMES), 4),
            "coverage": round(sum(a.group is not None for a in answers) / len(rows), 4)}
    best = max(table, key=lambda k: (table[k]["groups_macro_f1"] + table[k]["types_macro_f1"],
                                     table[k]["groups_macro_f1"]))
    out = {"source": args.source, "photos": len(rows), "truth_counts": dict(Counter(t for t, _, _ in rows)),
           "pooling": best.split()[0], "whole_frame_weight": float(best.split()[1]), "by_weight": table,
           "detector": detector.identity}
    for k, v in table.items():
        print(f"{k}: groups {v['groups_macro_f1']:.3f}  types {v['types_macro_f1']:.3f}  "
              f"coverage {v['coverage']:.2f}")
    print(f"{len(rows)} photos of {args.source}; best pooling and whole_frame_weight: {best}")
    if args.json_out:
        write_json(args.json_out, out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
