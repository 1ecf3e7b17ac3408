"""The instrument network on plain faces (issue 33): per photo set, its probability, whether the close-up network
calls it a wider view and whether a face is mapped; prints false alarms at the card's threshold, and the
probabilities of mapped faces, for fitting a face-specific threshold on ACNE04 train only.

    .venv/bin/python scripts/eval_instrument_faces.py --set faces-wild/clean --set acne04/valid/images
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def main() -> None:
    from comedo.classify.registry import get_instrument_classifier
    from comedo.classify.scene import read_photo_flags
    from comedo.face.facemap import map_face
    from comedo.io import load_image
    from comedo.measure.colour import colour_planes
    from comedo.measure.skin import segment_skin
    from comedo.pipeline import analysis_pixels

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--set", action="append", required=True, help="folder under the data root")
    ap.add_argument("--limit", type=int, default=0, help="at most this many photos per set, evenly spread")
    ap.add_argument("--data", type=Path, default=DATA)
    args = ap.parse_args()
    threshold = get_instrument_classifier().card.threshold
    for name in args.set:
        files = sorted(p for p in (args.data / name).rglob("*") if p.suffix.lower() in {".jpg", ".jpeg", ".png"})
        if args.limit:
            files = files[:: max(1, len(files) // args.limit)][: args.limit]
        rows = []
        for path in files:
            work, _ = analysis_pixels(load_image(path).pixels)
            flags = read_photo_flags(work)
            wide = flags.close_up is None or flags.close_up < 0.5
            face = map_face(work, segment_skin(colour_planes(work)).mask, close_up=not wide).found if wide else False
            rows.append((flags.instrument or 0.0, wide, face))
        p = np.array([r[0] for r in rows])
        face = np.array([r[2] for r in rows])
        print(json.dumps({"set": name, "photos": len(rows), "flagged": int((p >= threshold).sum()),
                          "flagged_with_face": int(((p >= threshold) & face).sum()), "faces": int(face.sum()),
                          "face_p_quantiles": np.round(np.quantile(p[face], [0.5, 0.9, 0.95, 0.99, 1.0]), 3).tolist()
                          if face.any() else None}))


if __name__ == "__main__":
    main()
