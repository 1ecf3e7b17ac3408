"""The "fingers, a glove or a tool in frame" flag on plain faces and on the labelled close-ups (issue 33).

Per photo set (no hand or tool in any of them): how many photos the instrument network alone flags at the card's
threshold ("network"), and how many the shipped decision flags (``classify_scene`` with the face map: on a mapped
face only the blue-glove rule counts), with the probabilities of mapped faces. With ``--closeups``: recall and
false alarms of both on the held-out hand-labelled photos of ``data/instrument_labels.csv`` (the lesion-type
split's held-out families, as on the model card; needs the training extra for the split).

    nice -n 5 .venv/bin/python scripts/eval_instrument_faces.py --set faces-wild/clean \\
        --set acne04/valid/images --closeups
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def decide(path: Path) -> tuple[float, bool, bool]:
    """(the network's probability, the shipped decision, whether a face was mapped) for one photo, as
    ``comedo.analyze`` decides it."""
    from comedo.classify.scene import classify_scene, read_photo_flags
    from comedo.face.facemap import map_face
    from comedo.io import load_image
    from comedo.measure.colour import colour_planes
    from comedo.measure.darkspots import find_dark_spots
    from comedo.measure.skin import segment_skin
    from comedo.pipeline import analysis_pixels

    work, _ = analysis_pixels(load_image(path).pixels)
    planes = colour_planes(work)
    skin = segment_skin(planes).mask
    flags = read_photo_flags(work)
    spots = find_dark_spots(planes.lightness, skin) if flags.close_up is None else None
    scene = classify_scene(planes, skin, spots, flags)
    face = map_face(work, skin, close_up=scene.view == "close_up").found
    if face:
        scene = classify_scene(planes, skin, spots, flags, face_mapped=True)
    return flags.instrument or 0.0, scene.instrument_or_fingers, face


def main() -> None:
    from comedo.classify.registry import get_instrument_classifier

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--set", action="append", default=[], help="folder under the data root (no hand or tool)")
    ap.add_argument("--closeups", action="store_true", help="also the held-out labelled photos")
    ap.add_argument("--limit", type=int, default=0, help="at most this many photos per set, evenly spread")
    ap.add_argument("--data", type=Path, default=DATA)
    args = ap.parse_args()
    threshold = get_instrument_classifier().card.threshold
    for name in args.set:
        files = sorted(p for p in (args.data / name).rglob("*") if p.suffix.lower() in {".jpg", ".jpeg", ".png"})
        if args.limit:
            files = files[:: max(1, len(files) // args.limit)][: args.limit]
        rows = [decide(path) for path in files]
        p = np.array([r[0] for r in rows])
        flagged = np.array([r[1] for r in rows], bool)
        face = np.array([r[2] for r in rows], bool)
        print(json.dumps({"set": name, "photos": len(rows), "network_flagged": int((p >= threshold).sum()),
                          "flagged": int(flagged.sum()), "flagged_without_face": int((flagged & ~face).sum()),
                          "faces": int(face.sum()),
                          "face_p_quantiles": np.round(np.quantile(p[face], [0.5, 0.9, 0.95, 0.99, 1.0]), 3).tolist()
                          if face.any() else None,
                          "flagged_files": [f.name for f, hit in zip(files, flagged, strict=True) if hit][:20]}))
    if args.closeups:
        from comedo_train.train_photo_flag import TASKS, labelled_photos, read_labels

        _, held_out = labelled_photos(args.data, read_labels(TASKS["instrument"]))
        rows = [decide(path) for path, _ in held_out]
        y = np.array([label for _, label in held_out], bool)
        p = np.array([r[0] for r in rows])
        flagged = np.array([r[1] for r in rows], bool)
        face = np.array([r[2] for r in rows], bool)
        for rule, hit in (("network", p >= threshold), ("shipped", flagged)):
            print(json.dumps({"set": "held-out labelled photos", "rule": rule, "photos": len(rows),
                              "positives": int(y.sum()), "found": int((hit & y).sum()),
                              "recall": round(float((hit & y).sum() / max(y.sum(), 1)), 4),
                              "false_alarms": int((hit & ~y).sum()), "negatives": int((~y).sum()),
                              "faces_mapped": int(face.sum()), "positives_face_mapped": int((face & y).sum())}))


if __name__ == "__main__":
    main()
