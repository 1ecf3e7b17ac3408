"""How often the face map finds a face, by data set and skin tone, and contact sheets to check the zones by eye.

    python -m comedo_train.check_face_map ../shared/data/faces-wild/acne ../shared/data/acne04/valid/images \\
        --sheets runs/face_map --per-sheet 36

Each photo goes through ``comedo.analyze`` as a user's would (the face stage runs on wider views only); the share
with landmarks is printed per folder, per ITA band (Del Bino's bands of the baseline skin) and per view, with the
face stage's median time. ``--sheets`` draws the zones and the danger triangle of a random sample of the faces found
(seed 0) for the hand check in docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import random
from collections import defaultdict
from pathlib import Path

import cv2
import numpy as np

from comedo.measure.skin_tone import ita_band
from comedo.pipeline import analyze
from comedo.render.annotate import annotate

EXTENSIONS = {".jpg", ".jpeg", ".png", ".webp"}


def _sheet(tiles: list[np.ndarray], path: Path, side: int = 360, columns: int = 6) -> None:
    cells = []
    for i, tile in enumerate(tiles):
        s = side / max(tile.shape[:2])
        small = cv2.resize(tile, None, fx=s, fy=s, interpolation=cv2.INTER_AREA)
        cell = np.full((side, side, 3), 255, np.uint8)
        cell[: small.shape[0], : small.shape[1]] = small
        cv2.putText(cell, str(i), (4, 20), cv2.FONT_HERSHEY_SIMPLEX, 0.7, (255, 255, 0), 2)
        cells.append(cell)
    while len(cells) % columns:
        cells.append(np.full((side, side, 3), 255, np.uint8))
    rows = [np.hstack(cells[i : i + columns]) for i in range(0, len(cells), columns)]
    cv2.imwrite(str(path), np.vstack(rows)[:, :, ::-1])


def check(folder: Path, sheets: Path | None, per_sheet: int) -> dict[str, object]:
    photos = sorted(p for p in folder.iterdir() if p.suffix.lower() in EXTENSIONS)
    found_by: dict[str, list[bool]] = defaultdict(list)
    times, drawn = [], []
    for path in photos:
        a = analyze(path)
        view = a.scene.view if a.scene is not None else "wide"
        found = a.face is not None and a.face.found
        found_by["all"].append(found)
        found_by[f"view:{view}"].append(found)
        found_by[f"ita:{ita_band(a.redness.ita_deg)}"].append(found)
        if view != "close_up":
            times.append(a.timings_ms["face"])
        if found:
            drawn.append(path)
    result: dict[str, object] = {"folder": str(folder), "photos": len(photos),
                                 "face_stage_ms_median_wide": round(float(np.median(times)), 1) if times else None}
    for key, values in sorted(found_by.items()):
        result[key] = {"photos": len(values), "found": int(sum(values)), "share": round(sum(values) / len(values), 3)}
    if sheets is not None and drawn:
        sheets.mkdir(parents=True, exist_ok=True)
        sample = random.Random(0).sample(drawn, min(per_sheet, len(drawn)))
        tiles = [annotate(analyze(p), layers=("zones", "lesions")) for p in sample]
        _sheet(tiles, sheets / f"{folder.parent.name}_{folder.name}.png")
        (sheets / f"{folder.parent.name}_{folder.name}.txt").write_text("\n".join(str(p) for p in sample) + "\n")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folders", type=Path, nargs="+")
    parser.add_argument("--sheets", type=Path)
    parser.add_argument("--per-sheet", type=int, default=36)
    parser.add_argument("--json-out", type=Path)
    args = parser.parse_args()
    results = [check(f, args.sheets, args.per_sheet) for f in args.folders]
    text = json.dumps(results, indent=1)
    print(text)
    if args.json_out:
        args.json_out.write_text(text + "\n")


if __name__ == "__main__":
    main()
