"""The codebook's example images (``docs/labelling/examples/``).

Two kinds: ``photos_<type>.png``, four whole photos the source labels as that type or look-alike (hints chosen
at random from the selection, seeded; the codebook says which ones a labeller judged atypical), and, once a
labelled batch exists, ``lesions_<type>.png``: up to six crops around lesions a labeller kept as ``sure``, each
ringed, 3x enlarged, so the codebook shows a lesion of each type as labelled."""

from __future__ import annotations

import json
import random
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw

from comedo_train.labelling.photos import Photo, read_photo, read_photos
from comedo_train.labelling.sheets import _font
from comedo_train.labelling.vocab import COLOUR, TYPES

__all__ = ["write_examples"]

TILE = 200


def _tile(rgb: np.ndarray, caption: str) -> Image.Image:
    h, w = rgb.shape[:2]
    s = TILE / max(h, w)
    img = Image.fromarray(rgb).resize((max(1, round(w * s)), max(1, round(h * s))), Image.Resampling.LANCZOS)
    canvas = Image.new("RGB", (TILE, TILE + 22), (40, 40, 44))
    canvas.paste(img, ((TILE - img.width) // 2, 22 + (TILE - img.height) // 2))
    ImageDraw.Draw(canvas).text((4, 3), caption[:34], font=_font(14), fill=(255, 255, 255))
    return canvas


def _strip(tiles: list[Image.Image], path: Path) -> None:
    strip = Image.new("RGB", (len(tiles) * (TILE + 6), TILE + 22), (20, 20, 20))
    for i, t in enumerate(tiles):
        strip.paste(t, (i * (TILE + 6), 0))
    strip.save(path)


def write_examples(out: Path, data: Path, *, selection: Path = Path("data/closeups/selection.tsv"),
                   coco: Path | None = None, seed: int = 0) -> int:
    """Write the example strips into ``out``; lesion crops from ``coco`` (a converter output) when given.
    Returns the number of PNGs written."""
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    photos = [p for p in read_photos(selection) if p.use == "train"]
    written = 0
    for kind in TYPES[:-1]:
        pool = [p for p in photos if p.hinted_type == kind]
        if not pool:
            continue
        chosen = rng.sample(pool, min(4, len(pool)))
        _strip([_tile(read_photo(p, data), p.photo_id) for p in chosen], out / f"photos_{kind}.png")
        written += 1
    if coco is None:
        return written
    doc = json.loads(coco.read_text())
    by_id = {p.photo_id: p for p in read_photos(selection)}
    names = {c["id"]: c["name"] for c in doc["categories"]}
    images = {im["id"]: im for im in doc["images"]}
    crops: dict[str, list[Image.Image]] = {}
    for ann in doc["annotations"]:
        kind = names[ann["category_id"]]
        if not ann["sure"] or len(crops.get(kind, [])) >= 6:
            continue
        photo: Photo = by_id[images[ann["image_id"]]["photo_id"]]
        rgb = read_photo(photo, data)
        (x, y), r = ann["center"], ann["radius"]
        half = max(16, int(r * 2.2))
        x0, y0 = max(0, int(x) - half), max(0, int(y) - half)
        crop = np.ascontiguousarray(rgb[y0:int(y) + half, x0:int(x) + half])
        s = TILE / max(crop.shape[:2])
        crop = cv2.resize(crop, None, fx=s, fy=s, interpolation=cv2.INTER_CUBIC)
        colour = COLOUR[kind]
        cv2.circle(crop, (round((x - x0) * s), round((y - y0) * s)), max(4, round(r * s)), colour, 1, cv2.LINE_AA)
        crops.setdefault(kind, []).append(_tile(crop, f"{photo.photo_id}"))
    for kind, tiles in crops.items():
        _strip(tiles, out / f"lesions_{kind}.png")
        written += 1
    return written
