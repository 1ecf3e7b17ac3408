"""Measure the scene stage as ``comedo analyze`` runs it, on hand-labelled photos.

    python -m comedo_train.check_scene --data ../shared/data

Three sets, none used to train or fit the shipped scene models:
- ``data/scene_labels.csv``: 48 photos from the lesion-type split's held-out
  families, labelled close-up / wide and instrument-or-fingers yes / no;
- the same split's held-out photos with a close-up / wide label in
  ``data/scene_view_labels.csv`` ("unsure" left out);
- every ACNE04 valid photo (a side view of a face: wide, no hand or tool).
Prints accuracy and the errors per set, for whichever models this build ships
(without the close-up network the logistic regression decides).
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import comedo
from comedo_train.train_photo_flag import TASKS, labelled_photos, read_labels


def measure(items: list[tuple[Path, bool, bool | None]]) -> dict[str, int]:
    """Counts for (photo, is close-up, has instrument or None when not labelled) items."""
    counts = {"photos": 0, "view_right": 0, "wide_called_close_up": 0, "close_up_called_wide": 0,
              "instrument_labelled": 0, "instrument_found": 0, "instrument_positives": 0, "instrument_false_alarms": 0}
    for path, close_up, instrument in items:
        scene = comedo.analyze(path, detector="classical").scene
        assert scene is not None
        called_close = scene.view == "close_up"
        counts["photos"] += 1
        counts["view_right"] += called_close == close_up
        counts["wide_called_close_up"] += called_close and not close_up
        counts["close_up_called_wide"] += close_up and not called_close
        if instrument is not None:
            counts["instrument_labelled"] += 1
            counts["instrument_positives"] += instrument
            counts["instrument_found"] += instrument and scene.instrument_or_fingers
            counts["instrument_false_alarms"] += scene.instrument_or_fingers and not instrument
    return counts


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--labels", type=Path, default=Path("data/scene_labels.csv"))
    args = parser.parse_args(argv)
    with args.labels.open() as f:
        check = [(args.data / r["path"], r["scene"] == "close_up", r["instrument_or_fingers"] == "yes")
                 for r in csv.DictReader(f)]
    _, held = labelled_photos(args.data, read_labels(TASKS["close_up"]))
    faces = sorted((args.data / "acne04" / "valid" / "images").glob("*.jpg"))
    sets = {"check photos (data/scene_labels.csv)": check,
            "held-out families (data/scene_view_labels.csv)": [(p, y, None) for p, y in held],
            "ACNE04 valid faces": [(p, False, False) for p in faces]}
    for name, items in sets.items():
        c = measure(items)
        line = (f"{name}: {c['photos']} photos, view accuracy {c['view_right'] / max(c['photos'], 1):.3f} "
                f"(wide called close-up {c['wide_called_close_up']}, close-up called wide {c['close_up_called_wide']})")
        if c["instrument_labelled"]:
            line += (f"; instrument or fingers found {c['instrument_found']} of {c['instrument_positives']}, "
                     f"false alarms {c['instrument_false_alarms']} of "
                     f"{c['instrument_labelled'] - c['instrument_positives']}")
        print(line, flush=True)


if __name__ == "__main__":
    main()
