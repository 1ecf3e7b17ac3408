"""Contact sheets for checking lesion sizes by eye: each lesion's crop beside the same crop with its ring (yellow)
and its segmented outline (cyan; none where the segmentation fell back to the ring).

    python -m comedo_train.lesion_size_sheets ../shared/data/lesion-types/external --faces ../shared/data/acne04/valid \
        --per-type 4 --per-photo 2 --face-photos 3 --out out/lesion_sizes

Close-ups: the first ``--per-type`` photos (sorted by name) of each type folder that ``comedo.analyze`` reads as
close-ups with lesions; faces: the first ``--face-photos`` photos of ``--faces``. From each photo its
``--per-photo`` largest lesions. The outline is ``comedo.measure.lesion_size.lesion_outlines`` on the same analysis
grid, rings and baseline the pipeline used, so it is what ``diameter_px`` measured. Writes ``sheet_NN.png`` (10
lesions a sheet) and ``lesions.tsv`` (number, photo, ring and segmented diameters in pixels, size_source), for
the judgement by eye recorded in docs/methods.md ("Lesion size"). Photos stay on this machine; the sheets are not
for publishing.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import cv2
import numpy as np

from comedo.analysis import Analysis
from comedo.files import IMAGE_SUFFIXES
from comedo.measure.colour import colour_planes
from comedo.measure.lesion_size import lesion_outlines
from comedo.pipeline import analysis_pixels, analyze

TYPES = ("blackhead", "whitehead", "papule", "pustule", "nodule", "cyst")
TILE = 200
PER_SHEET = 10


def outlines(analysis: Analysis) -> list[np.ndarray | None]:
    """Each lesion's outline in pixels of the photo (None: the ring stands for it)."""
    work, scale = analysis_pixels(analysis.image.pixels)
    les = analysis.lesions
    found = lesion_outlines(colour_planes(work), les.centers * scale, les.radii * scale,
                            baseline_a=analysis.redness.baseline_a)
    return [None if o is None else o / scale for o in found]


def tile(rgb: np.ndarray, center: np.ndarray, radius: float, outline: np.ndarray | None, caption: str) -> np.ndarray:
    """(TILE + 24, 2 * TILE, 3) uint8 RGB: the crop, and the crop with the ring and the outline, captioned."""
    half = max(8.0, 1.7 * radius)
    x0, y0 = float(center[0] - half), float(center[1] - half)
    k = TILE / (2 * half)
    m = np.array([[k, 0, -x0 * k], [0, k, -y0 * k]])
    crop = cv2.warpAffine(rgb, m, (TILE, TILE), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
    drawn = crop.copy()
    c = (int(round((center[0] - x0) * k)), int(round((center[1] - y0) * k)))
    cv2.circle(drawn, c, int(round(radius * k)), (255, 220, 0), 1, cv2.LINE_AA)
    if outline is not None:
        pts = np.round((outline - (x0, y0)) * k).astype(np.int32).reshape(-1, 1, 2)
        cv2.polylines(drawn, [pts], True, (0, 255, 255), 1, cv2.LINE_AA)
    out = np.full((TILE + 24, 2 * TILE + 4, 3), 255, np.uint8)
    out[:TILE, :TILE], out[:TILE, TILE + 4:] = crop, drawn
    cv2.putText(out, caption, (4, TILE + 17), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (0, 0, 0), 1, cv2.LINE_AA)
    return out


def photos(folder: Path, per_type: int, faces: Path | None, face_photos: int) -> list[tuple[str, Path]]:
    found: list[tuple[str, Path]] = []
    for kind in TYPES:
        sub = folder / kind
        if sub.is_dir():
            found += [(kind, p) for p in sorted(sub.iterdir()) if p.suffix.lower() in IMAGE_SUFFIXES]
    if faces is not None:
        face_list = sorted(p for p in faces.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES)
        found += [("face", p) for p in face_list[:face_photos]]
    return found


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", type=Path, help="a folder of type folders (blackhead, whitehead, ...)")
    parser.add_argument("--faces", type=Path, default=None)
    parser.add_argument("--per-type", type=int, default=4)
    parser.add_argument("--per-photo", type=int, default=2)
    parser.add_argument("--face-photos", type=int, default=3)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    tiles, rows, taken = [], ["number\tphoto\tring_px\tdiameter_px\tsize_source"], dict.fromkeys(TYPES, 0)
    for kind, path in photos(args.folder, args.per_type, args.faces, args.face_photos):
        if kind != "face" and taken[kind] >= args.per_type:
            continue
        a = analyze(path)
        if len(a.lesions) == 0 or (kind != "face" and (a.scene is None or a.scene.view != "close_up")):
            continue
        if kind != "face":
            taken[kind] += 1
        shapes = outlines(a)
        for i in np.argsort(-a.lesions.radii)[: args.per_photo]:
            n = len(tiles) + 1
            d, ring = float(a.lesions.diameters[i]), float(2 * a.lesions.radii[i])
            source = str(a.lesions.size_source[i])
            tiles.append(tile(a.image.pixels, a.lesions.centers[i], float(a.lesions.radii[i]), shapes[i],
                              f"{n} {kind} ring {ring:.0f} -> {d:.0f} px ({source})"))
            rows.append(f"{n}\t{path.name}\t{ring:.1f}\t{d:.1f}\t{source}")
    for s in range(0, len(tiles), PER_SHEET):
        batch = tiles[s:s + PER_SHEET]
        batch += [np.full_like(tiles[0], 255)] * (-len(batch) % 2)
        sheet = np.vstack([np.hstack(batch[j:j + 2]) for j in range(0, len(batch), 2)])
        cv2.imwrite(str(args.out / f"sheet_{s // PER_SHEET + 1:02d}.png"), cv2.cvtColor(sheet, cv2.COLOR_RGB2BGR))
    (args.out / "lesions.tsv").write_text("\n".join(rows) + "\n")
    print(f"{len(tiles)} lesions, {sum(r.endswith('segmented') for r in rows)} segmented; sheets in {args.out}")


if __name__ == "__main__":
    main()
