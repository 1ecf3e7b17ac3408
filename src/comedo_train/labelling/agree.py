"""Agreement between two labellers, compared by coordinates (not candidate numbers), and the shuffled second pass.

A lesion of A matches one of B when their centres lie within the larger radius; pairs are matched greedily,
nearest first, one to one. Matched-lesion F1 is 2 * matches / (lesions of A + lesions of B) over the photos both
called ``ok``; Cohen's kappa (Cohen 1960: (p_o - p_e) / (1 - p_e)) is computed on the matched lesions' types, on
their groups, and on the photo statuses.
"""

from __future__ import annotations

import csv
import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from comedo_train.labelling.candidates import Numbered, read_candidates, write_candidates
from comedo_train.labelling.decisions import Labelled, Lesion, parse_decisions, resolve
from comedo_train.labelling.photos import Photo, read_photos, write_photos
from comedo_train.labelling.vocab import GROUP_OF

__all__ = ["Agreement", "match", "cohen_kappa", "agreement", "shuffle_second_pass"]


def match(a: Sequence[Lesion], b: Sequence[Lesion]) -> list[tuple[int, int]]:
    """One-to-one pairs (i, j) of lesions whose centres lie within the larger of their radii, nearest first."""
    pairs = []
    for i, la in enumerate(a):
        for j, lb in enumerate(b):
            d = float(np.hypot(la.x - lb.x, la.y - lb.y))
            if d <= max(la.r, lb.r):
                pairs.append((d, i, j))
    used_a, used_b, out = set(), set(), []
    for _, i, j in sorted(pairs):
        if i not in used_a and j not in used_b:
            used_a.add(i)
            used_b.add(j)
            out.append((i, j))
    return out


def cohen_kappa(x: Sequence[str], y: Sequence[str]) -> float | None:
    """Cohen's kappa of two equal-length label lists; None when empty, 1.0 when both are one constant label."""
    if len(x) != len(y):
        raise ValueError(f"kappa needs two lists of one length, got {len(x)} and {len(y)}")
    n = len(x)
    if n == 0:
        return None
    observed = sum(a == b for a, b in zip(x, y, strict=True)) / n
    cx, cy = Counter(x), Counter(y)
    expected = sum(cx[k] * cy[k] for k in cx) / (n * n)
    if expected == 1.0:
        return 1.0
    return (observed - expected) / (1 - expected)


@dataclass(frozen=True)
class Agreement:
    photos: int
    photos_both_ok: int
    lesions_a: int
    lesions_b: int
    matched: int
    f1: float | None
    kappa_type: float | None
    kappa_group: float | None
    kappa_status: float | None

    def lines(self) -> list[str]:
        def f(v: float | None) -> str:
            return "-" if v is None else f"{v:.3f}"
        return [f"photos in both: {self.photos} (both ok: {self.photos_both_ok})",
                f"lesions: A {self.lesions_a}, B {self.lesions_b}, matched {self.matched}",
                f"matched-lesion F1: {f(self.f1)}",
                f"kappa types (matched): {f(self.kappa_type)}", f"kappa groups (matched): {f(self.kappa_group)}",
                f"kappa photo status: {f(self.kappa_status)}"]


def agreement(a: dict[str, Labelled], b: dict[str, Labelled]) -> Agreement:
    """Agreement of two labellers' resolved decisions on the photos both labelled."""
    common = sorted(set(a) & set(b))
    statuses_a = [a[p].status or "-" for p in common]
    statuses_b = [b[p].status or "-" for p in common]
    n_a = n_b = matched = both_ok = 0
    types_a, types_b = [], []
    for p in common:
        if a[p].status != "ok" or b[p].status != "ok":
            continue
        both_ok += 1
        la, lb = a[p].lesions, b[p].lesions
        n_a, n_b = n_a + len(la), n_b + len(lb)
        for i, j in match(la, lb):
            matched += 1
            types_a.append(la[i].type or "-")
            types_b.append(lb[j].type or "-")
    f1 = None if n_a + n_b == 0 else 2 * matched / (n_a + n_b)
    return Agreement(len(common), both_ok, n_a, n_b, matched, f1, cohen_kappa(types_a, types_b),
                     cohen_kappa([GROUP_OF.get(t, t) for t in types_a], [GROUP_OF.get(t, t) for t in types_b]),
                     cohen_kappa(statuses_a, statuses_b))


def shuffle_second_pass(decisions: Sequence[Path], batches: Path, candidates: Path, name: str, *, count: int = 60,
                        seed: int = 0) -> tuple[Path, Path, Path]:
    """A second-pass batch ``name``: ``count`` random photos labelled in ``decisions`` (those with a status),
    in shuffled order, each photo's candidates renumbered at random. Writes the batch (``batches/<name>.tsv``),
    its candidates (``candidates/<name>.tsv``) and the private map from new to original numbers
    (``candidates/<name>.map.tsv``: not for the second labeller's eyes; agreement compares coordinates)."""
    rng = random.Random(seed)
    pool: list[tuple[Photo, str]] = []
    seen: set[str] = set()
    for path in decisions:
        batch = path.name.split(".")[0]
        photos = {p.photo_id: p for p in read_photos(batches / f"{batch}.tsv")}
        for photo_id, item in sorted(parse_decisions(path).items()):
            if item.status is not None and photo_id in photos and photo_id not in seen:
                seen.add(photo_id)
                pool.append((photos[photo_id], batch))
    if len(pool) < count:
        raise ValueError(f"only {len(pool)} labelled photos in the decision files given; {count} asked")
    chosen = rng.sample(pool, count)
    cands_by_batch: dict[str, list[Numbered]] = {}
    new_cands: list[Numbered] = []
    rows = []
    for photo, batch in chosen:
        if batch not in cands_by_batch:
            cands_by_batch[batch] = read_candidates(candidates / f"{batch}.tsv")
        mine = [c for c in cands_by_batch[batch] if c.photo_id == photo.photo_id]
        numbers = list(range(1, len(mine) + 1))
        rng.shuffle(numbers)
        # Keep each quadrant's numbers together so a dense photo's sheets stay readable.
        order = sorted(range(len(mine)), key=lambda k: (mine[k].part, numbers[k]))
        for new, k in enumerate(order, start=1):
            new_cands.append(replace(mine[k], cand=new))
            rows.append((photo.photo_id, new, batch, mine[k].cand))
    batch_path, cand_path = batches / f"{name}.tsv", candidates / f"{name}.tsv"
    write_photos(batch_path, [p for p, _ in chosen])
    write_candidates(cand_path, new_cands)
    map_path = candidates / f"{name}.map.tsv"
    with open(map_path, "w", newline="") as fh:
        writer = csv.writer(fh, delimiter="\t", lineterminator="\n")
        writer.writerow(["photo_id", "cand", "batch", "original_cand"])
        writer.writerows(rows)
    return batch_path, cand_path, map_path


def resolve_for_agreement(path: Path, candidates: Path, batches: Path) -> dict[str, Labelled]:
    """A decision file's labels, checked as ``convert`` checks them (photo sizes taken from the candidates'
    bounds are not enough, so additions are not bounds-checked here: ``convert`` does that)."""
    batch = path.name.split(".")[0]
    photos = {p.photo_id: p for p in read_photos(batches / f"{batch}.tsv")}
    sizes = {pid: (10 ** 6, 10 ** 6) for pid in photos}
    return resolve(path, photos, read_candidates(candidates), None, sizes)
