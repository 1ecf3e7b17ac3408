"""How well comedo's rings match lesions labelled by eye: matched-lesion F1, overall and per group.

Each labelled photo (status ``ok``) goes through ``comedo.analyze`` as a user's photo would (a mosaic's tile as
its own pixels). A ring matches a labelled lesion when their centres lie within the larger radius, one to one,
nearest first: the same rule ``agree`` uses between two labellers, so the figures sit beside the labels' own
agreement (their noise floor). Per group, a labelled lesion counts as found only by a ring typed in its group
(comedonal, inflamed, deep; a ring comedo left untyped never counts for a group), and a ring typed in a group is
a false find unless it matches a labelled lesion of that group. Labels typed ``unsure`` or a look-alike count in
the overall figure only. Intervals: 95 %, resampling photos (``n_boot`` draws, seeded).

    python -m comedo_train.labelling.score data/closeups/external_eval.json --json-out FILE
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from comedo_train.labelling.agree import match
from comedo_train.labelling.decisions import Lesion
from comedo_train.labelling.photos import Photo, read_photo
from comedo_train.labelling.vocab import DEFAULT_DATA, GROUP_OF

__all__ = ["PhotoCounts", "score_photo", "summarise", "rings_of", "main"]

GROUPS = ("comedonal", "inflamed", "deep")


@dataclass(frozen=True)
class PhotoCounts:
    """Counts on one photo: overall (any ring vs any label) and per group (label, ring, matched)."""

    photo_id: str
    labels: int
    rings: int
    matched: int
    by_group: dict[str, tuple[int, int, int]]


def rings_of(document: dict) -> list[Lesion]:
    """The document's lesions as rings (centre, radius, comedo's type or None)."""
    out = []
    for item in document.get("lesions", []):
        (x, y), r = item["center"], float(item["radius_px"])
        out.append(Lesion(float(x), float(y), r, item.get("type"), True, item.get("origin") or "comedo", None))
    return out


def score_photo(photo_id: str, labels: Sequence[Lesion], rings: Sequence[Lesion]) -> PhotoCounts:
    """Overall and per-group matched counts of one photo's rings against its labels."""
    matched = len(match(labels, rings))
    by_group = {}
    for group in GROUPS:
        la = [les for les in labels if GROUP_OF.get(les.type or "", "") == group]
        ri = [les for les in rings if GROUP_OF.get(les.type or "", "") == group]
        by_group[group] = (len(la), len(ri), len(match(la, ri)))
    return PhotoCounts(photo_id, len(labels), len(rings), matched, by_group)


def _f1(labels: int, rings: int, matched: int) -> float | None:
    return None if labels + rings == 0 else 2 * matched / (labels + rings)


def _interval(counts: list[tuple[int, int, int]], *, n_boot: int, seed: int) -> tuple[float, float] | None:
    if not counts:
        return None
    arr = np.asarray(counts, dtype=float)
    rng = np.random.default_rng(seed)
    draws = []
    for _ in range(n_boot):
        s = arr[rng.integers(0, len(arr), len(arr))].sum(axis=0)
        if s[0] + s[1] > 0:
            draws.append(2 * s[2] / (s[0] + s[1]))
    if not draws:
        return None
    lo, hi = np.percentile(draws, [2.5, 97.5])
    return float(lo), float(hi)


def summarise(photos: Sequence[PhotoCounts], *, n_boot: int = 1000, seed: int = 0) -> dict:
    """F1, recall and precision with 95 % intervals, overall and per group, over ``photos``."""

    def block(counts: list[tuple[int, int, int]]) -> dict:
        labels, rings, matched = (sum(c[i] for c in counts) for i in range(3))
        return {"labels": labels, "rings": rings, "matched": matched, "f1": _f1(labels, rings, matched),
                "f1_interval": _interval(counts, n_boot=n_boot, seed=seed),
                "recall": matched / labels if labels else None, "precision": matched / rings if rings else None}

    out = {"photos": len(photos), "overall": block([(p.labels, p.rings, p.matched) for p in photos])}
    for group in GROUPS:
        out[group] = block([p.by_group[group] for p in photos])
    return out


def _labels_by_image(coco: dict) -> dict[int, list[Lesion]]:
    names = {c["id"]: c["name"] for c in coco["categories"]}
    out: dict[int, list[Lesion]] = {}
    for a in coco["annotations"]:
        (x, y), r = a["center"], float(a["radius"])
        out.setdefault(a["image_id"], []).append(Lesion(x, y, r, names[a["category_id"]], a.get("sure", True),
                                                        a.get("proposer", "added"), a.get("cand")))
    return out


def _photo_of(image: dict) -> Photo:
    crop = image.get("crop")
    return Photo(image["photo_id"], image["file_name"], image.get("source_folder", ""),
                 image.get("hinted_type", ""), image.get("group", ""),
                 ",".join(str(int(v)) for v in crop) if crop else "-")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m comedo_train.labelling.score", description=__doc__.split("\n")[0])
    parser.add_argument("coco", type=Path, help="labels from `labelling convert` (e.g. external_eval.json)")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the photos' folder")
    parser.add_argument("--json-out", type=Path)
    args = parser.parse_args(argv)
    import comedo

    coco = json.loads(args.coco.read_text())
    labels = _labels_by_image(coco)
    results = []
    for image in coco["images"]:
        if image.get("status") != "ok":
            continue
        pixels = read_photo(_photo_of(image), args.data)
        document = comedo.to_document(comedo.analyze(pixels)).model_dump(mode="json")
        results.append(score_photo(image["photo_id"], labels.get(image["id"], []), rings_of(document)))
    summary = summarise(results)
    for key in ("overall", *GROUPS):
        b = summary[key]
        f1 = "-" if b["f1"] is None else f"{b['f1']:.3f}"
        ci = "" if b["f1_interval"] is None else f" ({b['f1_interval'][0]:.3f}-{b['f1_interval'][1]:.3f})"
        rec = "-" if b["recall"] is None else f"{b['recall']:.2f}"
        pre = "-" if b["precision"] is None else f"{b['precision']:.2f}"
        print(f"{key:10s} F1 {f1}{ci}  recall {rec}  precision {pre}  "
              f"(labels {b['labels']}, rings {b['rings']}, matched {b['matched']})")
    print(f"{summary['photos']} labelled photos (status ok)")
    if args.json_out:
        summary["per_photo"] = [{"photo_id": p.photo_id, "labels": p.labels, "rings": p.rings, "matched": p.matched,
                                 "by_group": p.by_group} for p in results]
        args.json_out.parent.mkdir(parents=True, exist_ok=True)
        args.json_out.write_text(json.dumps(summary, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
