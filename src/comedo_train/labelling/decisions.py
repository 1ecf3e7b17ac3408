"""Decision files: parse, check, and turn into COCO.

A decision file (``data/closeups/decisions/<batch>.<labeller>.tsv``) starts ``# codebook-v1``; other lines
starting ``#`` are comments. Rows (tab-separated, original pixels of the photo as shown on its sheet; a mosaic's
tile is its own photo)::

    photo  status      ok|mosaic|no_lesion|unusable
    photo  cand        N  keep|drop  TYPE|-  sure|unsure|-
    photo  add         x  y  r  TYPE  sure|unsure
    photo  photo_type  TYPE                                  (optional)

On an ``ok`` photo every candidate needs a row; on ``no_lesion`` candidates without a row are dropped (a keep
or an add there is refused); on ``mosaic`` and ``unusable`` candidates and additions are not read (additions
are refused). Dropped candidates are kept as hard negatives.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from comedo_train.labelling.candidates import Numbered, read_candidates
from comedo_train.labelling.photos import Photo, read_photo, read_photos
from comedo_train.labelling.vocab import CERTAINTY, CODEBOOK_VERSION, GROUP_OF, STATUSES, TYPES

__all__ = ["DecisionError", "Lesion", "Labelled", "parse_decisions", "resolve", "to_coco", "batch_of",
           "labeller_of"]


class DecisionError(ValueError):
    """A decision file that cannot become labels; the message names the file, line and what is wrong."""


@dataclass(frozen=True)
class Lesion:
    """A labelled lesion (or, with ``type`` None, a dropped candidate: a hard negative)."""

    x: float
    y: float
    r: float
    type: str | None
    sure: bool
    proposer: str  # the candidate's proposer, or "added"
    cand: int | None


@dataclass
class Labelled:
    """One photo's labels from one decision file."""

    photo_id: str
    status: str | None = None
    photo_type: str | None = None
    lesions: list[Lesion] = field(default_factory=list)
    negatives: list[Lesion] = field(default_factory=list)
    decided: dict[int, tuple[str, str | None, bool]] = field(default_factory=dict)
    adds: list[tuple[int, float, float, float, str, bool]] = field(default_factory=list)  # line, x, y, r, type


NAME = re.compile(r"^(?P<batch>[A-Za-z0-9_-]+)\.(?P<labeller>[A-Za-z0-9_-]+)\.tsv$")


def batch_of(path: Path) -> str:
    m = NAME.match(path.name)
    if not m:
        raise DecisionError(f"{path}: a decision file is named <batch>.<labeller>.tsv (e.g. batch_01.pilot.tsv)")
    return m.group("batch")


def labeller_of(path: Path) -> str:
    batch_of(path)
    return NAME.match(path.name).group("labeller")  # type: ignore[union-attr]


def _type(value: str, where: str) -> str:
    if value not in TYPES:
        raise DecisionError(f"{where}: unknown type {value!r}; expected one of {', '.join(TYPES)}")
    return value


def _sure(value: str, where: str) -> bool:
    if value not in CERTAINTY:
        raise DecisionError(f"{where}: expected sure or unsure, got {value!r}")
    return value == "sure"


def _number(value: str, where: str, what: str) -> float:
    try:
        return float(value)
    except ValueError:
        raise DecisionError(f"{where}: {what} must be a number, got {value!r}") from None


def parse_decisions(path: Path) -> dict[str, Labelled]:
    """The rows of one decision file by photo, checked line by line (version, row shapes, types, statuses)."""
    lines = path.read_text().splitlines()
    if not lines or lines[0].strip() != f"# {CODEBOOK_VERSION}":
        got = lines[0].strip() if lines else "an empty file"
        raise DecisionError(f"{path}:1: first line must be '# {CODEBOOK_VERSION}', got {got!r}")
    photos: dict[str, Labelled] = {}
    for n, line in enumerate(lines[1:], start=2):
        if not line.strip() or line.startswith("#"):
            continue
        where = f"{path}:{n}"
        cells = [c.strip() for c in line.rstrip("\n").split("\t")]
        if len(cells) < 3:
            raise DecisionError(f"{where}: expected tab-separated 'photo<TAB>kind<TAB>...', got {line!r}")
        photo, kind, rest = cells[0], cells[1], cells[2:]
        item = photos.setdefault(photo, Labelled(photo))
        if kind == "status":
            if rest[0] not in STATUSES:
                raise DecisionError(f"{where}: status of {photo} must be one of {', '.join(STATUSES)}, got "
                                    f"{rest[0]!r}")
            if item.status is not None:
                raise DecisionError(f"{where}: a second status for {photo}")
            item.status = rest[0]
        elif kind == "photo_type":
            item.photo_type = _type(rest[0], where)
        elif kind == "cand":
            if len(rest) != 4:
                raise DecisionError(f"{where}: expected 'photo cand N keep|drop TYPE|- sure|unsure|-', got {line!r}")
            num = int(_number(rest[0], where, "the candidate number"))
            if rest[1] == "?":
                continue  # left undecided; refused later when the photo's status needs it
            if rest[1] not in ("keep", "drop"):
                raise DecisionError(f"{where}: candidate {num} of {photo}: expected keep or drop, got {rest[1]!r}")
            if num in item.decided:
                raise DecisionError(f"{where}: candidate {num} of {photo} decided twice")
            if rest[1] == "keep":
                item.decided[num] = ("keep", _type(rest[2], where), _sure(rest[3], where))
            else:
                item.decided[num] = ("drop", None, False)
        elif kind == "add":
            if len(rest) != 5:
                raise DecisionError(f"{where}: expected 'photo add x y r TYPE sure|unsure', got {line!r}")
            x, y, r = (_number(v, where, k) for v, k in zip(rest[:3], ("x", "y", "r"), strict=True))
            if r <= 0:
                raise DecisionError(f"{where}: radius must be positive, got {r}")
            item.adds.append((n, x, y, r, _type(rest[3], where), _sure(rest[4], where)))
        else:
            raise DecisionError(f"{where}: unknown row kind {kind!r}; expected status, cand, add or photo_type")
    return photos


def resolve(path: Path, photos: dict[str, Photo], candidates: list[Numbered], data: Path | None,
            sizes: dict[str, tuple[int, int]] | None = None) -> dict[str, Labelled]:
    """Parse ``path`` and check it against its batch: every photo of the batch has a status, every candidate of
    an ``ok`` photo is decided, additions lie inside the photo; candidates and additions become ``Lesion``s.
    Photo sizes come from ``sizes`` or by reading the photo from ``data``."""
    decided = parse_decisions(path)
    by_photo: dict[str, dict[int, Numbered]] = defaultdict(dict)
    for c in candidates:
        by_photo[c.photo_id][c.cand] = c
    for photo_id in decided:
        if photo_id not in photos:
            raise DecisionError(f"{path}: photo {photo_id!r} is not in this batch")
    for photo_id in photos:
        item = decided.setdefault(photo_id, Labelled(photo_id))
        if item.status is None:
            raise DecisionError(f"{path}: photo {photo_id} has no status row")
        cands = by_photo.get(photo_id, {})
        for num in item.decided:
            if num not in cands:
                raise DecisionError(f"{path}: photo {photo_id} has no candidate {num}")
        if item.status in ("mosaic", "unusable"):
            if item.adds:
                raise DecisionError(f"{path}:{item.adds[0][0]}: photo {photo_id} is {item.status}: no additions")
            continue
        missing = sorted(set(cands) - set(item.decided))
        if item.status == "ok" and missing:
            raise DecisionError(f"{path}: photo {photo_id}: candidates {', '.join(map(str, missing))} undecided")
        if item.status == "no_lesion":
            kept = [num for num, (what, *_) in item.decided.items() if what == "keep"]
            if kept or item.adds:
                raise DecisionError(f"{path}: photo {photo_id} is no_lesion but keeps or adds lesions")
        if item.adds:
            w, h = sizes[photo_id] if sizes and photo_id in sizes else _size(photos[photo_id], data)
            for line, x, y, r, _, _ in item.adds:
                if not (0 <= x < w and 0 <= y < h):
                    raise DecisionError(f"{path}:{line}: addition at ({x:g}, {y:g}) lies outside photo {photo_id} "
                                        f"({w}x{h} px)")
        for num, c in sorted(cands.items()):
            what, kind, sure = item.decided.get(num, ("drop", None, False))
            lesion = Lesion(c.x, c.y, c.r, kind, sure, c.proposer, num)
            (item.lesions if what == "keep" else item.negatives).append(lesion)
        item.lesions.extend(Lesion(x, y, r, t, s, "added", None) for _, x, y, r, t, s in item.adds)
        _refuse_duplicates(path, photo_id, item.lesions)
        item.negatives = [n for n in item.negatives if not _on_a_lesion(n, item.lesions)]
    return decided


def _on_a_lesion(negative: Lesion, lesions: list[Lesion]) -> bool:
    """A dropped candidate whose centre lies inside a labelled ring: the codebook drops a badly sized ring on a
    real lesion and adds the lesion again, so such a drop says "wrong ring", not "no lesion here", and is no hard
    negative."""
    return any(np.hypot(negative.x - les.x, negative.y - les.y) <= les.r for les in lesions)


def _refuse_duplicates(path: Path, photo_id: str, lesions: list[Lesion]) -> None:
    """Two rings on one lesion (a kept candidate and an addition, or two kept candidates): centres closer than
    0.6 of the larger radius, radii within 3x. The codebook says one lesion, one ring (a pus head and its red
    base are one pustule); a small blackhead inside a large nodule's ring is not a duplicate."""
    for i, a in enumerate(lesions):
        for b in lesions[i + 1:]:
            big, small = max(a.r, b.r), min(a.r, b.r)
            if np.hypot(a.x - b.x, a.y - b.y) < 0.6 * big and big / small < 3:
                def name(les: Lesion) -> str:
                    return f"candidate {les.cand}" if les.cand is not None else f"addition at ({les.x:g}, {les.y:g})"
                raise DecisionError(f"{path}: photo {photo_id}: {name(a)} and {name(b)} ring one lesion twice; "
                                    "keep one")


def _size(photo: Photo, data: Path | None) -> tuple[int, int]:
    if data is None:
        raise DecisionError(f"photo {photo.photo_id}: its size is needed and no data folder was given")
    h, w = read_photo(photo, data).shape[:2]
    return w, h


CATEGORIES = [{"id": i, "name": t, "supercategory": GROUP_OF[t]} for i, t in enumerate(TYPES, start=1)]
CATEGORY_ID = {c["name"]: c["id"] for c in CATEGORIES}


def to_coco(labelled: list[tuple[Photo, Labelled, str, str]], sizes: dict[str, tuple[int, int]]) -> dict:
    """COCO (``images``, ``annotations``, ``categories``) plus ``negatives`` (dropped candidates, hard
    negatives) from (photo, its labels, batch, labeller) tuples. Boxes are the rings' squares; each annotation
    also keeps its ring (``center``, ``radius``), ``sure``, ``proposer`` and candidate number. A tile's
    ``crop`` (x0, y0, x1, y1) says where it lies in ``file_name``; its coordinates are the tile's."""
    images, annotations, negatives = [], [], []
    for image_id, (photo, item, batch, labeller) in enumerate(labelled, start=1):
        w, h = sizes[photo.photo_id]
        images.append({"id": image_id, "file_name": photo.source_path, "width": w, "height": h,
                       "photo_id": photo.photo_id, "crop": list(photo.box) if photo.box else None,
                       "status": item.status, "source_folder": photo.source_folder, "group": photo.group,
                       "hinted_type": photo.hinted_type, "photo_type": item.photo_type, "batch": batch,
                       "labeller": labeller, "codebook": CODEBOOK_VERSION})
        for les in item.lesions:
            annotations.append({"id": len(annotations) + 1, "image_id": image_id,
                                "category_id": CATEGORY_ID[les.type], "bbox": _bbox(les, w, h),
                                "area": round(3.14159265 * les.r ** 2, 1), "iscrowd": 0,
                                "center": [les.x, les.y], "radius": les.r, "sure": les.sure,
                                "proposer": les.proposer, "cand": les.cand})
        for les in item.negatives:
            negatives.append({"image_id": image_id, "center": [les.x, les.y], "radius": les.r,
                              "proposer": les.proposer, "cand": les.cand})
    return {"info": {"description": "comedo close-ups, per-lesion labels made by eye", "codebook": CODEBOOK_VERSION},
            "images": images, "annotations": annotations, "categories": CATEGORIES, "negatives": negatives}


def _bbox(les: Lesion, w: int, h: int) -> list[float]:
    x0, y0 = max(0.0, les.x - les.r), max(0.0, les.y - les.r)
    x1, y1 = min(float(w), les.x + les.r), min(float(h), les.y + les.r)
    return [round(x0, 1), round(y0, 1), round(x1 - x0, 1), round(y1 - y0, 1)]


def write_json(path: Path, doc: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=1) + "\n")


def load_batch(batches: Path, candidates: Path, batch: str) -> tuple[dict[str, Photo], list[Numbered]]:
    """A batch's photos and stored candidates, or a DecisionError naming what is missing."""
    tsv, cand = batches / f"{batch}.tsv", candidates / f"{batch}.tsv"
    for p in (tsv, cand):
        if not p.exists():
            raise DecisionError(f"batch {batch}: {p} not found (run 'sheets' on the batch first)")
    return {p.photo_id: p for p in read_photos(tsv)}, read_candidates(cand)
