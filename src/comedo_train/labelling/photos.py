"""A photo to label (a file, or a tile of a mosaic in it), its pixels, its table; mosaics found by their seams.

Mosaics (Roboflow's 4-photo mosaics, with their seams anywhere) are found by the 2x2 seams and split into their
tiles, each its own photo. Which photos get labelled is ``comedo_train.labelling.selection``'s job.
"""

from __future__ import annotations

import csv
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import cv2
import numpy as np

from comedo_train.lesion_types import CLASSES

__all__ = ["Photo", "read_photo", "find_seams", "mosaic_tiles", "read_photos", "write_photos", "MIN_TILE_PX",
           "BATCH_SIZE", "LOOKALIKE_LABELS", "ACNE_HINTS", "FOLDER_TYPE"]

MIN_TILE_PX = 96
BATCH_SIZE = 40
LOOKALIKE_LABELS = {"Keloid": "keloid", "Milium": "milium", "Syringoma": "syringoma", "Flat_wart": "flat_wart",
                    "Folliculitis": "folliculitis"}
ACNE_HINTS = {"Blackhead": "open_comedo", "Whitehead": "closed_comedo", "Papular": "papule",
              "Purulent": "pustule", "Cystic": "cyst"}
FOLDER_TYPE = dict(zip(CLASSES, ("open_comedo", "closed_comedo", "papule", "pustule", "nodule", "cyst"),
                       strict=True))


@dataclass(frozen=True)
class Photo:
    """One photo to label. ``source_path`` is relative to the data folder (``../shared/data``); ``crop`` is
    ``x0,y0,x1,y1`` of a mosaic's tile in that file or ``-``; ``use`` is ``train`` or ``measure`` (the external
    photos: measured on, never trained on); ``hinted_type`` is the folder's or the file's label, a hint only."""

    photo_id: str
    source_path: str
    source_folder: str
    hinted_type: str
    group: str
    crop: str = "-"
    use: str = "train"

    @property
    def box(self) -> tuple[int, int, int, int] | None:
        if self.crop == "-":
            return None
        x0, y0, x1, y1 = (int(v) for v in self.crop.split(","))
        return x0, y0, x1, y1


COLUMNS = [f.name for f in fields(Photo)]


def read_photo(photo: Photo, data: Path) -> np.ndarray:
    """The photo's (H, W, 3) uint8 RGB pixels (its tile, for a mosaic's tile)."""
    path = data / photo.source_path
    bgr = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if bgr is None:
        raise FileNotFoundError(f"photo {photo.photo_id}: cannot read {path}")
    rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
    box = photo.box
    if box is not None:
        x0, y0, x1, y1 = box
        rgb = np.ascontiguousarray(rgb[y0:y1, x0:x1])
    return rgb


def _seam_score(img: np.ndarray, axis: int) -> np.ndarray:
    """Per column (axis 1) or row (axis 0): the share of lines across it where the step between the two pixels
    on either side is large and at least three times the steps one pixel further out on both sides. A mosaic's
    seam is such a step over most of the photo; a natural edge is not straight for that long."""
    a = img.astype(np.float32) if axis == 1 else img.astype(np.float32).transpose(1, 0, 2)
    d = np.abs(np.diff(a, axis=1)).sum(axis=2)  # (rows, cols - 1): step between col j and j + 1
    step = d[:, 2:-2]
    around = np.maximum(d[:, :-4], d[:, 4:])
    strong = (step > 30) & (step > 3 * around)
    # Black padding beside a rotated tile gives no step; count only lines where either side is not black.
    lit = (a[:, 2:-3].max(axis=2) > 20) | (a[:, 3:-2].max(axis=2) > 20)
    score = np.zeros(d.shape[1] + 1, np.float32)
    score[3:-2] = strong.sum(axis=0) / np.maximum(lit.sum(axis=0), 1)
    return score


def find_seams(rgb: np.ndarray, *, min_share: float = 0.45, edge: float = 0.15) -> tuple[int, int] | None:
    """(x, y) of a 2x2 mosaic's vertical and horizontal seams, or None when the photo is not a mosaic: both a
    column and a row away from the borders (``edge`` of the side) must be a straight step over at least
    ``min_share`` of their length. One straight line alone (a letterbox's padding edge) is not a mosaic."""
    h, w = rgb.shape[:2]
    cols, rows = _seam_score(rgb, 1), _seam_score(rgb, 0)
    lo_x, hi_x, lo_y, hi_y = int(edge * w), int((1 - edge) * w), int(edge * h), int((1 - edge) * h)
    x = lo_x + int(np.argmax(cols[lo_x:hi_x]))
    y = lo_y + int(np.argmax(rows[lo_y:hi_y]))
    if cols[x] < min_share or rows[y] < min_share:
        return None
    return x, y


def mosaic_tiles(rgb: np.ndarray) -> list[tuple[int, int, int, int]] | None:
    """The four tiles' boxes (x0, y0, x1, y1) of a mosaic (row by row), or None when it is not one."""
    seams = find_seams(rgb)
    if seams is None:
        return None
    x, y = seams
    h, w = rgb.shape[:2]
    return [(0, 0, x + 1, y + 1), (x + 1, 0, w, y + 1), (0, y + 1, x + 1, h), (x + 1, y + 1, w, h)]


def write_photos(path: Path, photos: list[Photo]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as fh:
        writer = csv.DictWriter(fh, COLUMNS, delimiter="\t", lineterminator="\n")
        writer.writeheader()
        for p in photos:
            writer.writerow(asdict(p))


def read_photos(path: Path) -> list[Photo]:
    with open(path, newline="") as fh:
        return [Photo(**{k: row[k] for k in COLUMNS if k in row}) for row in csv.DictReader(fh, delimiter="\t")]
