"""Candidates per batch: proposed once, stored in ``data/closeups/candidates/<batch>.tsv`` and reused, so every
labeller of a batch sees the same numbers (ONNX Runtime's sums may differ by thread count between machines)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from comedo_train.labelling.photos import Photo, read_photo
from comedo_train.labelling.propose import propose
from comedo_train.labelling.sheets import PER_PANEL, quadrants

__all__ = ["Numbered", "number_candidates", "write_candidates", "read_candidates", "CAND_COLUMNS"]

CAND_COLUMNS = ["photo_id", "cand", "x", "y", "r", "proposer", "part"]


@dataclass(frozen=True)
class Numbered:
    """A candidate as the labeller sees it: its number on the photo, centre and radius in original pixels,
    proposer, and the sheet part it is drawn on (``all``, or ``q1``..``q4`` for a dense photo's quadrants)."""

    photo_id: str
    cand: int
    x: float
    y: float
    r: float
    proposer: str
    part: str


def number_candidates(photo_id: str, rgb: np.ndarray) -> list[Numbered]:
    """Propose candidates on ``rgb`` and number them in reading order (by bands of a sixth of the height, left to
    right), quadrant by quadrant when there are more than ``PER_PANEL``."""
    h, w = rgb.shape[:2]
    cands = propose(rgb)
    band = max(1.0, h / 6)

    def reading(c: object) -> tuple[int, float]:
        return int(c.y // band), c.x  # type: ignore[attr-defined]

    if len(cands) <= PER_PANEL:
        parts = [("all", sorted(cands, key=reading))]
    else:
        parts = []
        for q, (x0, y0, x1, y1, *_) in enumerate(quadrants(w, h), start=1):
            inside = [c for c in cands if x0 <= c.x < x1 and y0 <= c.y < y1]
            parts.append((f"q{q}", sorted(inside, key=reading)))
    out, n = [], 0
    for part, items in parts:
        for c in items:
            n += 1
            out.append(Numbered(photo_id, n, round(c.x, 1), round(c.y, 1), round(c.r, 1), c.proposer, part))
    return out


def propose_batch(photos: list[Photo], data: Path) -> list[Numbered]:
    out: list[Numbered] = []
    for p in photos:
        out.extend(number_candidates(p.photo_id, read_photo(p, data)))
    return out


def write_candidates(path: Path, cands: list[Numbered]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as fh:
        writer = csv.writer(fh, delimiter="\t", lineterminator="\n")
        writer.writerow(CAND_COLUMNS)
        for c in cands:
            writer.writerow([c.photo_id, c.cand, c.x, c.y, c.r, c.proposer, c.part])


def read_candidates(path: Path) -> list[Numbered]:
    with open(path, newline="") as fh:
        return [Numbered(row["photo_id"], int(row["cand"]), float(row["x"]), float(row["y"]), float(row["r"]),
                         row["proposer"], row.get("part") or "all") for row in csv.DictReader(fh, delimiter="\t")]
