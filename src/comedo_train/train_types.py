"""Train the six-way lesion-type classifier on close-ups, seeded, on a CPU.

    python -m comedo_train.train_types --data ../shared/data/lesion-types --out runs/types \\
        [--init-from runs/detector/best.pt]

The network is the detector's encoder (``LesionNet`` stem to stride 32) with a
pooled linear head, so it can start from the encoder the detector learned on
ACNE04 faces (``--init-from``) instead of from scratch; which is better was
decided by measurement (see docs/performance.md). Writes ``best.pt`` (best
validation macro-F1), ``last.pt``, ``history.jsonl`` and ``split.json``.

``--all-photos`` trains on the held-out families too, without validation: the recipe is measured with them
held out, and the network that ships is then trained the same way on every source, because sources are what
these few web photos lack most (docs/performance.md). ``--train-fraction`` trains on a share of the training
groups, to read how much more data helps.
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from comedo.workflows.metrics import confusion_matrix, macro_f1
from comedo_train.common import load_matching_weights, seed_everything, warmup_cosine_lr
from comedo_train.detector_net import LesionNet, Residual, conv_bn
from comedo_train.lesion_types import CLASSES, keep_share, link_duplicates, scan, split
from comedo_train.lite_net import LiteNet
from comedo_train.type_augment import INPUT, augment, centre, load_rgb

HEADS = ("plain", "wide")
BACKBONES = ("encoder", "lite0", "lite1")


def build_type_net(backbone: str, head: str, side: int, *, pretrained: bool = True) -> nn.Module:
    """The type network a checkpoint's ``backbone`` names (``pretrained`` False when its weights will be loaded)."""
    if backbone in ("lite0", "lite1"):
        return LiteNet(len(CLASSES), side=side, pretrained=pretrained, variant=backbone)
    return TypeNet(head=head)


class TypeNet(nn.Module):
    """LesionNet encoder + pooled stride-16 and stride-32 features + linear.

    ``head="plain"``: average pooling of the encoder's last two stages.
    ``head="wide"``: the thin encoder (128 channels at stride 32, sized for the
    detector's CPU budget) under-fits six types, so a 256-channel residual
    stage is added at stride 32, where it is cheap (7x7 cells at 224 px), and
    each stage is pooled by mean and by max: a pustule's small white head or a
    blackhead's plug is a local peak that a mean dilutes.
    """

    def __init__(self, n_classes: int = len(CLASSES), dropout: float = 0.3, head: str = "plain") -> None:
        super().__init__()
        if head not in HEADS:
            raise ValueError(f"head must be one of {HEADS}, not {head!r}")
        enc = LesionNet()
        self.register_buffer("mean", enc.mean.clone())
        self.register_buffer("std", enc.std.clone())
        self.stem, self.s4, self.s8, self.s16, self.s32 = enc.stem, enc.s4, enc.s8, enc.s16, enc.s32
        self.head = head
        if head == "wide":
            self.extra = nn.Sequential(conv_bn(128, 256, 1), Residual(256))
            n_features = 2 * (96 + 256)
        else:
            n_features = 96 + 128
        self.drop = nn.Dropout(dropout)
        self.fc = nn.Linear(n_features, n_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = (x - self.mean) / self.std
        c16 = self.s16(self.s8(self.s4(self.stem(x))))
        c32 = self.s32(c16)
        if self.head == "wide":
            c32 = self.extra(c32)
            feats = torch.cat([c16.mean(dim=(2, 3)), c32.mean(dim=(2, 3)),
                               c16.amax(dim=(2, 3)), c32.amax(dim=(2, 3))], dim=1)
        else:
            feats = torch.cat([c16.mean(dim=(2, 3)), c32.mean(dim=(2, 3))], dim=1)
        return self.fc(self.drop(feats))


class Softmaxed(nn.Module):
    """Export wrapper: probabilities, not logits; with several networks (an
    ensemble of seeds), the mean of their probabilities."""

    def __init__(self, *nets: TypeNet) -> None:
        super().__init__()
        self.nets = nn.ModuleList(nets)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.stack([torch.softmax(net(x), dim=1) for net in self.nets]).mean(dim=0)


class WeightAverage:
    """An exponential moving average of a network's weights and batch-norm statistics."""

    def __init__(self, model: nn.Module, decay: float) -> None:
        self.decay = decay
        self.network = copy.deepcopy(model).eval()
        for p in self.network.parameters():
            p.requires_grad_(False)

    @torch.no_grad()
    def update(self, model: nn.Module) -> None:
        for mine, theirs in zip(self.network.state_dict().values(), model.state_dict().values(), strict=True):
            if mine.dtype.is_floating_point:
                mine.mul_(self.decay).add_(theirs, alpha=1 - self.decay)
            else:
                mine.copy_(theirs)

    def state_dict(self) -> dict[str, torch.Tensor]:
        return self.network.state_dict()










@torch.no_grad()
def mirror_averaged(model: nn.Module, images: np.ndarray,
                    squash: Callable[[torch.Tensor], torch.Tensor]) -> np.ndarray:
    """(n, outputs) of ``squash(logits)`` averaged over each (n, H, W, 3) image and its mirror (test time)."""
    model.eval()
    out = []
    for i in range(0, len(images), 64):
        x = torch.from_numpy(images[i : i + 64]).permute(0, 3, 1, 2).float()
        out.append(((squash(model(x)) + squash(model(torch.flip(x, dims=[3])))) / 2).numpy())
    return np.concatenate(out)


def evaluate(model: TypeNet, images: np.ndarray, labels: np.ndarray) -> dict[str, object]:
    pred = mirror_averaged(model, images, lambda logits: torch.softmax(logits, 1)).argmax(1)
    matrix = confusion_matrix(labels.tolist(), pred.tolist(), len(CLASSES))
    return {"accuracy": float((pred == labels).mean()), "macro_f1": macro_f1(matrix)[0], "confusion": matrix.tolist()}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path("../shared/data/lesion-types"))
    parser.add_argument("--out", type=Path, default=Path("runs/types"))
    parser.add_argument("--init-from", type=Path, default=None, help="detector checkpoint to take the encoder from")
    parser.add_argument("--epochs", type=int, default=80)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--min-crop", type=float, default=0.7,
                        help="smallest random crop, as a fraction of the photo's side (the label is the photo's "
                             "dominant lesion, which a small crop can miss)")
    parser.add_argument("--head", choices=HEADS, default="plain", help="classifier head (see TypeNet)")
    parser.add_argument("--backbone", choices=BACKBONES, default="encoder",
                        help="encoder: the detector's encoder (TypeNet, from scratch or --init-from); lite0: "
                             "EfficientNet-Lite0 with ImageNet weights (comedo_train.lite_net; use --input 224); "
                             "lite1: EfficientNet-Lite1 (use --input 240)")
    parser.add_argument("--head-lr-scale", type=float, default=1.0,
                        help="the new head's learning rate as a multiple of --lr (a pretrained body learns slower)")
    parser.add_argument("--input", type=int, default=INPUT,
                        help="network input side in px; photos are loaded at 1.2x this (capped at 256 px, the data's "
                             "largest side) to crop from")
    parser.add_argument("--ema", type=float, default=0.0,
                        help="keep an exponential moving average of the weights with this decay per step (e.g. "
                             "0.995) and validate and save the average: a last epoch less at the mercy of the "
                             "final batches")
    parser.add_argument("--mixup", type=float, default=0.0,
                        help="mixup's Beta(a, a) parameter (e.g. 0.2): train on blends of two photos with the "
                             "blended label, a regulariser for small, noisily labelled sets; 0 turns it off")
    parser.add_argument("--camera-effects", action="store_true",
                        help="also vary white balance, resolution and JPEG compression (camera_effects)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--split-seed", type=int, default=None,
                        help="seed of the held-out split (default: --seed); keep it fixed to train ensemble members")
    parser.add_argument("--all-photos", action="store_true",
                        help="train on every photo, the held-out families too, and validate on none")
    parser.add_argument("--train-fraction", type=float, default=1.0,
                        help="keep this seeded share of the training photos' linked groups (learning-curve checks)")
    args = parser.parse_args(argv)
    if args.all_photos and args.train_fraction < 1.0:
        parser.error("--all-photos trains on every photo; --train-fraction is for held-out learning curves")

    seed_everything(args.seed, args.threads)
    args.out.mkdir(parents=True, exist_ok=True)
    started = time.time()
    items = scan(args.data / "train")
    kept, component, dropped = link_duplicates(items)
    train, valid = split(kept, component, seed=args.seed if args.split_seed is None else args.split_seed)
    if args.train_fraction < 1.0:
        train = keep_share(train, component, args.train_fraction, seed=args.seed)
    if args.all_photos:
        train, valid = train + valid, []
    (args.out / "split.json").write_text(json.dumps({
        "dropped_contradictory": dropped,
        "train": [str(it.path.relative_to(args.data)) for it in train],
        "valid": [str(it.path.relative_to(args.data)) for it in valid]}, indent=1))
    print(f"{len(items)} images, {dropped} dropped (same photo, two labels), "
          f"{len(train)} train / {len(valid)} valid", flush=True)
    load_side = min(round(args.input * 1.2), 256)
    train_imgs = [load_rgb(it.path, load_side) for it in train]
    train_labels = np.array([it.label for it in train])
    valid_imgs = np.stack([centre(load_rgb(it.path, load_side), args.input) for it in valid]) if valid else None
    valid_labels = np.array([it.label for it in valid])

    model = build_type_net(args.backbone, args.head, args.input)
    if args.init_from:
        load_matching_weights(model, args.init_from)
    # Class weights against imbalance (papule has the fewest photos).
    counts = np.bincount(train_labels, minlength=len(CLASSES)).astype(np.float32)
    weights = torch.tensor(counts.sum() / (len(CLASSES) * counts))
    if isinstance(model, LiteNet):
        groups = [{"params": model.body_parameters(), "lr_scale": 1.0},
                  {"params": model.head_parameters(), "lr_scale": args.head_lr_scale}]
    else:
        groups = [{"params": list(model.parameters()), "lr_scale": 1.0}]
    optimizer = torch.optim.AdamW(groups, lr=args.lr, weight_decay=5e-4)
    steps_per_epoch = math.ceil(len(train) / args.batch)
    total = steps_per_epoch * args.epochs
    rng = np.random.default_rng(args.seed)
    best, step = -1.0, 0
    averaged = WeightAverage(model, args.ema) if args.ema > 0 else None

    def save_checkpoint(path: Path, epoch: int, figures: dict[str, object]) -> None:
        """The network as validated (the weight average with --ema), with what export_types needs to rebuild it."""
        state = averaged.state_dict() if averaged else model.state_dict()
        torch.save({"model": state, "epoch": epoch, "figures": figures, "input": args.input, "head": args.head,
                    "backbone": args.backbone,
                    "ema": args.ema, "min_crop": args.min_crop, "mixup": args.mixup,
                    "camera_effects": args.camera_effects, "all_photos": args.all_photos,
                    "train_fraction": args.train_fraction}, path)

    history = (args.out / "history.jsonl").open("w")
    for epoch in range(args.epochs):
        model.train()
        order = rng.permutation(len(train))
        t0, running = time.time(), 0.0
        for b in range(steps_per_epoch):
            idx = order[b * args.batch : (b + 1) * args.batch]
            views = np.stack([augment(train_imgs[i], rng, args.input, args.min_crop, args.camera_effects)
                              for i in idx])
            x = torch.from_numpy(views).permute(0, 3, 1, 2).float()
            y = torch.from_numpy(train_labels[idx])
            lr = warmup_cosine_lr(args.lr, step, total)
            for g in optimizer.param_groups:
                g["lr"] = lr * g["lr_scale"]
            if args.mixup > 0:
                lam = float(rng.beta(args.mixup, args.mixup))
                partner = torch.from_numpy(rng.permutation(len(idx)))
                logits = model(lam * x + (1 - lam) * x[partner])
                loss = lam * F.cross_entropy(logits, y, weight=weights, label_smoothing=0.1) + (1 - lam) * \
                    F.cross_entropy(logits, y[partner], weight=weights, label_smoothing=0.1)
            else:
                loss = F.cross_entropy(model(x), y, weight=weights, label_smoothing=0.1)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            if averaged:
                averaged.update(model)
            running += loss.item()
            step += 1
        figures = {} if valid_imgs is None else evaluate(averaged.network if averaged else model, valid_imgs,
                                                         valid_labels)
        record = {"epoch": epoch, "loss": running / steps_per_epoch, "epoch_s": time.time() - t0,
                  "elapsed_s": time.time() - started, **{k: v for k, v in figures.items() if k != "confusion"}}
        if figures and figures["macro_f1"] > best:  # type: ignore[operator]
            best = float(figures["macro_f1"])  # type: ignore[arg-type]
            save_checkpoint(args.out / "best.pt", epoch, figures)
        history.write(json.dumps(record) + "\n")
        history.flush()
        print(json.dumps(record), flush=True)
    # The last epoch too: its held-out figures are not chosen on the held-out photos.
    save_checkpoint(args.out / "last.pt", args.epochs - 1, figures)
    done = f"done in {time.time() - started:.0f}s"
    print(f"{done}; best valid macro-F1 {best:.3f}" if valid else f"{done}; no held-out photos", flush=True)


if __name__ == "__main__":
    main()
