"""Train a yes/no classifier of the whole photo, seeded, on a CPU: is a hand,
glove or tool in frame (``--task instrument``), or is it a close-up rather than
a wider view of a face or body (``--task close_up``)?

    python -m comedo_train.train_photo_flag --task instrument --data ../shared/data --out runs/instrument \
        --init-from runs/detector/best.pt
    python -m comedo_train.train_photo_flag --task close_up --data ../shared/data --out runs/close_up \
        --init-from runs/detector/best.pt

Labels: one hand label per linked photo group of the lesion-types close-ups
(``data/instrument_labels.csv``: yes / no / unsure, where a glove, fingers, a
needle, an extractor, tweezers or cotton in frame is "yes";
``data/scene_view_labels.csv``: close_up / wide / unsure, where a whole face,
a part of a face that shows an eye or the lips, or a body region seen from a
distance is "wide"). "unsure" photos are left out; a label applies to the
group's augmented copies. ACNE04 faces (no hands or tools, all wide views) are
added as negatives. The lesion-type split's held-out families stay held out
here too, so the figures are on photos neither classifier trained on.

The network is the lesion-type classifier's architecture (``TypeNet``) with one
logit, started from the detector's encoder. Writes ``last.pt``,
``history.jsonl`` and ``held_out.json`` (per-photo probabilities of the
held-out photos, for the model card).
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from comedo_train.common import load_matching_weights, seed_everything, warmup_cosine_lr
from comedo_train.lesion_types import link_duplicates, scan, split
from comedo_train.train_types import TypeNet, mirror_averaged
from comedo_train.type_augment import INPUT, augment, centre, load_rgb

ACNE04_NEGATIVES = 300  # faces drawn from ACNE04 train, about a tenth of the close-ups' count


@dataclass(frozen=True)
class Task:
    labels: Path  # CSV with a ``path`` column (relative to the data folder) and ``column``
    column: str
    positive: str  # the value that means True; ``negative`` False; anything else is left out
    negative: str


TASKS = {
    "instrument": Task(Path("data/instrument_labels.csv"), "instrument_or_fingers", "yes", "no"),
    "close_up": Task(Path("data/scene_view_labels.csv"), "view", "close_up", "wide"),
}


def read_labels(task: Task, path: Path | None = None) -> dict[str, bool | None]:
    """Hand labels by photo path (relative to the data folder): True, False, or None for unsure."""
    with (path or task.labels).open() as f:
        return {row["path"]: {task.positive: True, task.negative: False}.get(row[task.column])
                for row in csv.DictReader(f)}


def labelled_photos(data: Path, labels: dict[str, bool | None]) -> tuple[list[tuple[Path, bool]],
                                                                         list[tuple[Path, bool]]]:
    """(train, held out) photos with labels: each labelled photo's linked group
    shares its label, and the lesion-type split decides which groups are held out."""
    items = scan(data / "lesion-types" / "train")
    kept, component, _ = link_duplicates(items)
    _, valid = split(kept, component)
    held_out = {component[it.group] for it in valid}
    by_component: dict[str, bool | None] = {}
    for it in items:
        rel = str(it.path.relative_to(data))
        if rel in labels:
            by_component[component[it.group]] = labels[rel]
    train, test = [], []
    for it in items:
        label = by_component.get(component[it.group])
        if label is None:  # unsure, or a group nobody labelled
            continue
        (test if component[it.group] in held_out else train).append((it.path, label))
    return train, test


def face_negatives(data: Path, seed: int) -> tuple[list[tuple[Path, bool]], list[tuple[Path, bool]]]:
    rng = np.random.default_rng(seed)
    faces = sorted((data / "acne04" / "train" / "images").glob("*.jpg"))
    picked = rng.choice(len(faces), size=min(ACNE04_NEGATIVES, len(faces)), replace=False)
    valid = sorted((data / "acne04" / "valid" / "images").glob("*.jpg"))[::5]
    return [(faces[i], False) for i in sorted(picked)], [(p, False) for p in valid]


def figures(p: np.ndarray, y: np.ndarray, threshold: float = 0.5) -> dict[str, float]:
    hit = p >= threshold
    tp, fp, fn = int((hit & y).sum()), int((hit & ~y).sum()), int((~hit & y).sum())
    return {"recall": tp / max(tp + fn, 1), "precision": tp / max(tp + fp, 1), "false_alarm_rate":
            fp / max(int((~y).sum()), 1), "f1": 2 * tp / max(2 * tp + fp + fn, 1)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--task", choices=sorted(TASKS), required=True)
    parser.add_argument("--labels", type=Path, default=None, help="hand labels (default: the task's file in data/)")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--init-from", type=Path, default=None, help="detector checkpoint to take the encoder from")
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    seed_everything(args.seed, args.threads)
    args.out.mkdir(parents=True, exist_ok=True)
    started = time.time()
    task = TASKS[args.task]
    train, test = labelled_photos(args.data, read_labels(task, args.labels))
    faces_train, faces_test = face_negatives(args.data, args.seed)
    train += faces_train
    test += faces_test
    print(f"train {len(train)} photos ({sum(y for _, y in train)} {task.positive}), held out {len(test)} "
          f"({sum(y for _, y in test)})", flush=True)
    load_side = round(INPUT * 1.2)
    train_imgs = [load_rgb(p, load_side) for p, _ in train]
    train_y = np.array([y for _, y in train], bool)
    test_imgs = np.stack([centre(load_rgb(p, load_side)) for p, _ in test])
    test_y = np.array([y for _, y in test], bool)

    model = TypeNet(n_classes=1)
    if args.init_from:
        load_matching_weights(model, args.init_from)
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=5e-4)
    # Draw positives as often as negatives (instruments are about 7 % of the photos).
    draw = np.where(train_y, 0.5 / train_y.sum(), 0.5 / (~train_y).sum())
    steps_per_epoch = math.ceil(len(train) / args.batch)
    total = steps_per_epoch * args.epochs
    rng = np.random.default_rng(args.seed)
    history = (args.out / "history.jsonl").open("w")
    step = 0
    for epoch in range(args.epochs):
        model.train()
        t0, running = time.time(), 0.0
        for _ in range(steps_per_epoch):
            idx = rng.choice(len(train), size=args.batch, p=draw)
            # Crops keep at least 85 % of the side: a glove or tool at the border must stay in view.
            views = np.stack([augment(train_imgs[i], rng, INPUT, 0.85) for i in idx])
            x = torch.from_numpy(views).permute(0, 3, 1, 2).float()
            y = torch.from_numpy(train_y[idx].astype(np.float32))
            lr = warmup_cosine_lr(args.lr, step, total)
            for g in optimizer.param_groups:
                g["lr"] = lr
            loss = F.binary_cross_entropy_with_logits(model(x)[:, 0], y)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            running += loss.item()
            step += 1
        p = mirror_averaged(model, test_imgs, torch.sigmoid)[:, 0]
        record = {"epoch": epoch, "loss": running / steps_per_epoch, "epoch_s": time.time() - t0,
                  "elapsed_s": time.time() - started, **figures(p, test_y)}
        history.write(json.dumps(record) + "\n")
        history.flush()
        print(json.dumps(record), flush=True)
    torch.save({"model": model.state_dict(), "epoch": args.epochs - 1, "input": INPUT, "head": "plain",
                "n_classes": 1, "task": args.task}, args.out / "last.pt")
    (args.out / "held_out.json").write_text(json.dumps({
        "photos": [str(path) for path, _ in test], "truth": test_y.tolist(),
        "probability": [round(float(v), 4) for v in p]}, indent=1))
    print(f"done in {time.time() - started:.0f}s", flush=True)


if __name__ == "__main__":
    main()
