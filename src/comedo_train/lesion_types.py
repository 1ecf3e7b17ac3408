"""The lesion-types folder: grouping, deduplication and the split.

Files in one class folder whose names agree up to ``.rf.`` are augmented copies
of one source photo (a group). Some photos appear twice under different names,
sometimes under two labels; a 64-bit difference hash (dHash) with a Hamming
distance <= 4 links them, and linked groups are kept on one side of the split.
Groups whose copies disagree on the label are dropped as contradictory.

The validation side is chosen by *name family* (``aug_``, ``blackheads_``,
``b12``...), the closest thing to a source we have, so validation photos come
from families partly unseen in training and the score says more about photos
from elsewhere than a random group split would.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

CLASSES = ("blackhead", "whitehead", "papule", "pustule", "nodule", "cyst")
# comedo.types.LesionType values, in CLASSES order.
TYPE_VALUES = ("open_comedo", "closed_comedo", "papule", "pustule", "nodule", "cyst")


@dataclass
class Item:
    path: Path
    label: int
    group: str
    family: str


def _family(stem: str) -> str:
    m = re.match(r"([a-z]+)", stem.lower())
    return m.group(1) if m else "other"


def dhash(path: Path) -> int:
    gray = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
    small = cv2.resize(gray, (9, 8), interpolation=cv2.INTER_AREA).astype(np.int16)
    bits = (small[:, 1:] > small[:, :-1]).flatten()
    return int(sum(1 << i for i, b in enumerate(bits) if b))


def scan(root: Path) -> list[Item]:
    items = []
    for label, name in enumerate(CLASSES):
        for path in sorted((root / name).glob("*")):
            if path.suffix.lower() not in (".jpg", ".jpeg", ".png", ".webp"):
                continue
            stem = path.name.split(".rf.")[0]
            items.append(Item(path, label, f"{name}/{stem}", _family(stem)))
    return items


def link_duplicates(items: list[Item], max_distance: int = 4) -> tuple[list[Item], dict[str, str], int]:
    """Union groups that share a near-identical image; drop groups with two labels.

    Returns the kept items, a map group -> linked component id, and how many
    items were dropped as contradictory.
    """
    hashes = np.array([dhash(it.path) for it in items], dtype=np.uint64)
    parent = {it.group: it.group for it in items}

    def find(g: str) -> str:
        while parent[g] != g:
            parent[g] = parent[parent[g]]
            g = parent[g]
        return g

    bits = np.unpackbits(hashes.view(np.uint8).reshape(-1, 8), axis=1)
    for i in range(len(items)):
        dist = (bits[i + 1 :] != bits[i]).sum(axis=1)
        for j in np.nonzero(dist <= max_distance)[0]:
            a, b = find(items[i].group), find(items[i + 1 + j].group)
            if a != b:
                parent[a] = b
    labels: dict[str, set[int]] = defaultdict(set)
    for it in items:
        labels[find(it.group)].add(it.label)
    kept = [it for it in items if len(labels[find(it.group)]) == 1]
    return kept, {g: find(g) for g in parent}, len(items) - len(kept)


def split(items: list[Item], component: dict[str, str], *, valid_fraction: float = 0.2,
          seed: int = 0) -> tuple[list[Item], list[Item]]:
    """Hold out whole name families per class until about ``valid_fraction`` of
    each class is in validation; linked duplicates follow their component."""
    rng = np.random.default_rng(seed)
    valid_components: set[str] = set()
    for label in range(len(CLASSES)):
        members = [it for it in items if it.label == label]
        by_family: dict[str, set[str]] = defaultdict(set)
        for it in members:
            by_family[it.family].add(component[it.group])
        target = valid_fraction * len({component[it.group] for it in members})
        families = sorted(by_family, key=lambda f: (len(by_family[f]), f))
        # Small families first (the most distinct sources), then random groups of the rest.
        taken: set[str] = set()
        for fam in families:
            if len(taken) + len(by_family[fam]) <= target * 0.6:
                taken |= by_family[fam]
        rest = sorted({component[it.group] for it in members} - taken)
        rng.shuffle(rest)
        for comp in rest:
            if len(taken) >= target:
                break
            taken.add(comp)
        valid_components |= taken
    train = [it for it in items if component[it.group] not in valid_components]
    valid = [it for it in items if component[it.group] in valid_components]
    return train, valid


def keep_share(items: list[Item], component: dict[str, str], share: float, *, seed: int = 0) -> list[Item]:
    """A seeded random ``share`` of ``items``' linked groups (copies of one photo stay together): how much a
    larger training set would help is read off a run on a smaller one."""
    groups = sorted({component[it.group] for it in items})
    rng = np.random.default_rng(seed)
    kept = set(rng.permutation(groups)[: round(share * len(groups))].tolist())
    return [it for it in items if component[it.group] in kept]


def write_held_out(split_json: Path, data: Path, out: Path) -> int:
    """Link a training run's held-out photos into ``out/<type folder>/`` so that
    ``comedo evaluate-types out`` scores exactly the photos the run never trained on."""
    import json
    import os

    count = 0
    for rel in json.loads(split_json.read_text())["valid"]:
        source = (data / rel).resolve()
        target = out / Path(rel).parent.name / source.name
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists():
            os.symlink(source, target)
        count += 1
    return count


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="Link a run's held-out photos into one folder per type: "
                                                 "python -m comedo_train.lesion_types runs/types/split.json --out DIR")
    parser.add_argument("split", type=Path, help="split.json written by comedo_train.train_types")
    parser.add_argument("--data", type=Path, default=Path("../shared/data/lesion-types"))
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    print(f"linked {write_held_out(args.split, args.data, args.out)} photos under {args.out}")
