"""Which photos get labelled: one copy per photo group, quotas per type and look-alike, batches of 40.

Groups: in ``lesion-types`` the Roboflow copies of one photo share the name before ``.rf.``; in
``lesion-types-more`` the ``photo`` stem, and a 64-bit difference hash (``comedo_train.lesion_types.dhash``,
Hamming distance <= 4) joins a stem's single photo with its tile in a mosaic and with the same photo under
another name.
"""

from __future__ import annotations

import csv
import random
import re
from collections import Counter, defaultdict
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np

from comedo_train.labelling.photos import (
    ACNE_HINTS,
    BATCH_SIZE,
    FOLDER_TYPE,
    LOOKALIKE_LABELS,
    MIN_TILE_PX,
    Photo,
    mosaic_tiles,
    write_photos,
)
from comedo_train.lesion_types import CLASSES

__all__ = ["select", "write_batches", "summary"]


def _dhash(rgb: np.ndarray) -> int:
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    small = cv2.resize(gray, (9, 8), interpolation=cv2.INTER_AREA).astype(np.int16)
    bits = (small[:, 1:] > small[:, :-1]).flatten()
    return int(sum(1 << i for i, b in enumerate(bits) if b))


class _Union:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, a: str) -> str:
        self.parent.setdefault(a, a)
        while self.parent[a] != a:
            self.parent[a] = self.parent[self.parent[a]]
            a = self.parent[a]
        return a

    def join(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _join_by_hash(union: _Union, keys: list[str], hashes: list[int], max_distance: int = 4) -> None:
    if not keys:
        return
    bits = np.unpackbits(np.array(hashes, np.uint64).view(np.uint8).reshape(-1, 8), axis=1)
    for i in range(len(keys) - 1):
        dist = (bits[i + 1:] != bits[i]).sum(axis=1)
        for j in np.nonzero(dist <= max_distance)[0]:
            union.join(keys[i], keys[i + 1 + j])


def _stem(name: str) -> str:
    return name.split(".rf.")[0]


def _rf(name: str) -> str:
    """The first 6 hex digits of Roboflow's copy hash: a stem's mosaics differ, so their tiles' ids must."""
    return name.split(".rf.")[1][:6] if ".rf." in name else "0"


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.#-]+", "_", text)


def _lesion_types(data: Path, split: str, union: _Union) -> dict[str, list[Photo]]:
    """Every file of lesion-types/<split> as a Photo, by group (one entry per file; a group's copies agree)."""
    out: dict[str, list[Photo]] = defaultdict(list)
    keys, hashes, photos = [], [], []
    for folder in CLASSES:
        for path in sorted((data / "lesion-types" / split / folder).glob("*")):
            if path.suffix.lower() not in (".jpg", ".jpeg", ".png", ".webp"):
                continue
            stem = _stem(path.name)
            key = f"lt-{split}:{folder}/{stem}"
            rgb = cv2.cvtColor(cv2.imread(str(path)), cv2.COLOR_BGR2RGB)
            keys.append(key)
            hashes.append(_dhash(rgb))
            prefix = "lt" if split == "train" else "ext"
            photos.append((key, Photo(f"{prefix}-{folder}-{_safe(stem)}", str(path.relative_to(data)),
                                      f"lesion-types/{split}", FOLDER_TYPE[folder], key,
                                      use="train" if split == "train" else "measure")))
    for k in keys:
        union.find(k)
    _join_by_hash(union, keys, hashes)
    for key, photo in photos:
        out[union.find(key)].append(photo)
    return out


def _more(data: Path, union: _Union) -> tuple[dict[str, list[Photo]], dict[str, tuple[set[str], bool]]]:
    """lesion-types-more's files as Photos (mosaics as their tiles), by group; and per file its label set and
    whether it is a mosaic."""
    root = data / "lesion-types-more"
    with open(root / "labels.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    keys, hashes, photos = [], [], []
    info: dict[str, tuple[set[str], bool]] = {}
    for row in rows:
        rel = f"lesion-types-more/images/{row['file']}"
        rgb = cv2.cvtColor(cv2.imread(str(data / rel)), cv2.COLOR_BGR2RGB)
        labels = {lab for lab in row["labels"].split(";") if lab}
        stem_key = f"ltm:{row['photo']}"
        union.find(stem_key)
        tiles = mosaic_tiles(rgb)
        info[row["file"]] = (labels, tiles is not None)
        hint = ";".join(sorted(labels)) or "-"
        if tiles is None:
            keys.append(stem_key)
            hashes.append(_dhash(rgb))
            photos.append((stem_key, Photo(f"ltm-{_safe(row['photo'])}", rel, "lesion-types-more", hint, stem_key)))
            continue
        for t, (x0, y0, x1, y1) in enumerate(tiles):
            if min(x1 - x0, y1 - y0) < MIN_TILE_PX:
                continue
            tile_key = f"{stem_key}#{row['file']}#t{t}"
            union.find(tile_key)
            keys.append(tile_key)
            hashes.append(_dhash(np.ascontiguousarray(rgb[y0:y1, x0:x1])))
            photos.append((tile_key, Photo(f"ltm-{_safe(row['photo'])}.{_rf(row['file'])}#t{t}",
                                           rel, "lesion-types-more", hint, tile_key, crop=f"{x0},{y0},{x1},{y1}")))
    _join_by_hash(union, keys, hashes)
    out: dict[str, list[Photo]] = defaultdict(list)
    for key, photo in photos:
        out[union.find(key)].append(photo)
    return out, info


def select(data: Path, *, per_type: int = 60, more_total: int = 260, external_per_type: int = 13,
           seed: int = 0, exclude: frozenset[str] = frozenset()) -> tuple[list[Photo], list[Photo]]:
    """The photos to label for training and the external photos to label for measuring (seeded random).

    Training: ``per_type`` groups per lesion-types/train folder, one copy each; from lesion-types-more every
    group holding a single (not mosaic) file labelled with exactly one look-alike, then singles labelled exactly
    one of Blackhead, Whitehead, Papular, Purulent or Cystic, then mosaic tiles until ``more_total``. A group
    is used once. Measuring: ``external_per_type`` groups per lesion-types/external folder (80 in all: the
    remainder goes to the largest folders). Groups in ``exclude`` (an earlier round's) are never chosen."""
    rng = random.Random(seed)
    union = _Union()
    lt = _lesion_types(data, "train", union)
    more, info = _more(data, union)
    # A group of lesion-types that is also in lesion-types-more (same photo under another name) is one group.
    groups: dict[str, list[Photo]] = defaultdict(list)
    for g in (lt, more):
        for key, photos in g.items():
            groups[union.find(key)].extend(photos)
    used: set[str] = set(exclude)
    chosen: list[Photo] = []

    def take(root: str, photo: Photo) -> None:
        used.add(root)
        chosen.append(replace(photo, group=root))

    for folder in CLASSES:
        roots = sorted(r for r, ps in groups.items() if any(p.source_folder == "lesion-types/train" and
                                                               p.hinted_type == FOLDER_TYPE[folder] for p in ps))
        rng.shuffle(roots)
        n = 0
        for root in roots:
            if n >= per_type or root in used:
                continue
            copies = sorted((p for p in groups[root] if p.source_folder == "lesion-types/train"
                             and p.hinted_type == FOLDER_TYPE[folder]),
                            key=lambda p: p.source_path)
            take(root, rng.choice(copies))
            n += 1

    def singles_with(label_map: dict[str, str]) -> list[tuple[str, Photo, str]]:
        out = []
        for root, photos in groups.items():
            for p in photos:
                if p.source_folder != "lesion-types-more" or p.crop != "-":
                    continue
                labels, _ = info[Path(p.source_path).name]
                if len(labels) == 1 and next(iter(labels)) in label_map:
                    out.append((root, p, label_map[next(iter(labels))]))
        return sorted(out, key=lambda t: (t[0], t[1].source_path))

    more_count = 0
    for label_map in (LOOKALIKE_LABELS, ACNE_HINTS):
        found = singles_with(label_map)
        rng.shuffle(found)
        for root, photo, hint in found:
            if root in used or more_count >= more_total:
                continue
            take(root, replace(photo, hinted_type=hint))
            more_count += 1
    tiles = sorted(((root, p) for root, ps in groups.items() for p in ps
                    if p.source_folder == "lesion-types-more" and p.crop != "-"), key=lambda t: t[1].photo_id)
    rng.shuffle(tiles)
    for root, photo in tiles:
        if more_count >= more_total:
            break
        if root in used:
            continue
        take(root, photo)
        more_count += 1

    ext_union = _Union()
    ext = _lesion_types(data, "external", ext_union)
    external: list[Photo] = []
    by_folder = {f: sorted(r for r, ps in ext.items() if ps[0].hinted_type == FOLDER_TYPE[f]) for f in CLASSES}
    quota = {f: external_per_type for f in CLASSES}
    for f in sorted(CLASSES, key=lambda f: -len(by_folder[f]))[: max(0, 80 - external_per_type * 6)]:
        quota[f] += 1
    for f in CLASSES:
        roots = by_folder[f]
        rng.shuffle(roots)
        for root in roots[: quota[f]]:
            copies = sorted(ext[root], key=lambda p: p.source_path)
            external.append(replace(rng.choice(copies), group=root))
    return chosen, external


def write_batches(photos: list[Photo], external: list[Photo], out: Path, *, seed: int = 0,
                  size: int = BATCH_SIZE, first: int = 1) -> list[Path]:
    """Shuffled batches of ``size`` (types mixed) as ``batch_NN.tsv`` numbered from ``first``, the external
    photos as ``external_NN.tsv``."""
    rng = random.Random(seed + 1)
    written = []
    for prefix, items in (("batch", photos), ("external", external)):
        items = list(items)
        rng.shuffle(items)
        start = first if prefix == "batch" else 1
        for i in range(0, len(items), size):
            path = out / f"{prefix}_{start + i // size:02d}.tsv"
            write_photos(path, items[i: i + size])
            written.append(path)
    return written


def summary(photos: list[Photo]) -> Counter:
    return Counter((p.source_folder, p.hinted_type if ";" not in p.hinted_type else "pooled") for p in photos)
