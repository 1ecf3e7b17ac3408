"""Train the close-up lesion detector that also types each lesion, validated on a source it never saw.

    python -m comedo_train.train_closeups --coco runs/closeups/coco/closeups_train.json \\
        --holdout lesion-types-more --out runs/closeups/NAME

The network is ``CloseupLesionNet``: EfficientNet-Lite0 from ImageNet weights, the package detector's heat and
side-distance heads at stride 4, and a per-cell type head over ``TYPE_CLASSES`` (six acne types, look-alike, not
a lesion). Each photo goes through Shades of Grey colour constancy (p = 6) in training and evaluation alike
(``closeup_data.prepare``), with camera, blur, JPEG, scale, rotation and flip augmentation. Losses: CenterNet's
focal loss on the heat (hard negatives, the candidates labellers dropped, weigh ``--hard-weight`` times more), the
TTFNet GIoU loss on the sides, and a type loss that tolerates label noise (``--type-loss``: cross-entropy with
label smoothing, or the generalised cross-entropy of Zhang & Sabuncu 2018), with lesions typed ``unsure`` left out
of it and classes weighted by the inverse square root of their frequency.

``--holdout SOURCE`` trains on the other source folder and validates on SOURCE: rings decoded from the heat
(and typed at their peak) are matched to the labels by ``labelling.score``'s rule (centres within the larger
radius) and scored as matched-lesion F1 overall and per group at several heat thresholds. Every epoch writes
``last.pt`` (``--resume`` continues from it, optimiser and random state included), ``best.pt`` keeps the best
held-out overall F1, ``history.jsonl`` the figures. ``--init`` starts a new stage from another run's weights.
"""

from __future__ import annotations

import argparse
import json
import math
import time
from collections import Counter
from pathlib import Path

import numpy as np
import torch

from comedo_train.closeup_data import (
    IGNORE,
    NOT_LESION,
    TYPE_CLASSES,
    CloseupSample,
    augment_closeup,
    load_closeups,
    make_closeup_targets,
)
from comedo_train.closeup_metrics import THRESHOLDS, compact, evaluate, predict_rings, type_agreement
from comedo_train.common import load_matching_weights, seed_everything
from comedo_train.labelling.vocab import DEFAULT_DATA
from comedo_train.train_detector import giou_loss

__all__ = ["build_model", "heat_loss", "type_loss", "class_weights", "batch_targets", "training_loss",
           "predict_rings", "evaluate", "type_agreement", "THRESHOLDS", "main"]



def build_model(*, side: int, pretrained: bool = True, frozen_blocks: int = 5) -> torch.nn.Module:
    from comedo_train.lite_detector import CloseupLesionNet

    return CloseupLesionNet(len(TYPE_CLASSES), side=side, pretrained=pretrained, frozen_blocks=frozen_blocks)


def heat_loss(logits: torch.Tensor, target: torch.Tensor, hard: torch.Tensor, hard_weight: float) -> torch.Tensor:
    """CenterNet's penalty-reduced focal loss (alpha 2, beta 4) with each negative cell's term multiplied by
    ``1 + hard_weight * hard``; mean over lesions."""
    pred = torch.sigmoid(logits).clamp(1e-4, 1 - 1e-4)
    pos = target.eq(1).float()
    pos_loss = torch.log(pred) * (1 - pred) ** 2 * pos
    neg_loss = torch.log(1 - pred) * pred**2 * (1 - target) ** 4 * (1 - pos) * (1 + hard_weight * hard)
    return -(pos_loss.sum() + neg_loss.sum()) / pos.sum().clamp(min=1)


def type_loss(logits: torch.Tensor, label: torch.Tensor, weight: torch.Tensor, class_weight: torch.Tensor, *,
              q: float = 0.0, smoothing: float = 0.0) -> torch.Tensor:
    """The type loss at the cells with a label (``label`` != IGNORE), each cell weighted by ``weight`` (a
    lesion's cells sum to 1) and its class's ``class_weight``; the mean over lesions. With ``q`` > 0 the
    generalised cross-entropy (1 - p_y^q) / q (Zhang & Sabuncu 2018); else cross-entropy against the label
    smoothed by ``smoothing`` (Szegedy et al. 2016: the label keeps 1 - smoothing, the rest spread evenly)."""
    sel = label != IGNORE
    if not bool(sel.any()):
        return logits.sum() * 0.0
    logp = torch.log_softmax(logits.permute(0, 2, 3, 1)[sel], dim=1)
    y = label[sel]
    logp_y = logp.gather(1, y[:, None])[:, 0]
    if q > 0:
        per_cell = (1 - torch.exp(q * logp_y)) / q
    else:
        per_cell = -(1 - smoothing) * logp_y - smoothing * logp.mean(dim=1)
    w = weight[sel] * class_weight[y]
    return (per_cell * w).sum() / weight[sel].sum().clamp(min=1)


def class_weights(samples: list[CloseupSample], *, clip: tuple[float, float] = (0.25, 4.0)) -> np.ndarray:
    """Per class of ``TYPE_CLASSES``: (median count / count) ** 0.5 over the samples' typed lesions and hard
    negatives (``NOT_LESION``), clipped; a class with no example gets the upper clip."""
    counts = Counter(int(t) for s in samples for t in s.types if t != IGNORE)
    counts[NOT_LESION] += sum(len(s.negatives) for s in samples)
    n = np.array([counts.get(i, 0) for i in range(len(TYPE_CLASSES))], np.float64)
    med = float(np.median(n[n > 0])) if (n > 0).any() else 1.0
    w = np.where(n > 0, np.sqrt(med / np.maximum(n, 1)), clip[1])
    return np.clip(w, *clip).astype(np.float32)


def batch_targets(views: list[tuple[np.ndarray, ...]], crop: int) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    """Stack augmented views (``augment_closeup``'s tuples) and their targets as tensors."""
    images = torch.from_numpy(np.stack([v[0] for v in views])).permute(0, 3, 1, 2).float()
    targets = [make_closeup_targets(c, t, s, n, crop, crop) for _, c, t, s, n in views]
    return images, {k: torch.from_numpy(np.stack([t[k] for t in targets])) for k in targets[0]}


def training_loss(model: torch.nn.Module, images: torch.Tensor, tgt: dict[str, torch.Tensor],
                  class_weight: torch.Tensor, args: argparse.Namespace) -> tuple[torch.Tensor, dict[str, float]]:
    heat, ltrb, kind = model.raw(images)
    parts = {"heat": heat_loss(heat, tgt["heat"], tgt["hard"], args.hard_weight),
             "box": giou_loss(ltrb, tgt["ltrb"], tgt["weight"]),
             "type": type_loss(kind, tgt["type_label"], tgt["type_weight"], class_weight,
                               q=args.gce_q if args.type_loss == "gce" else 0.0, smoothing=args.label_smoothing)}
    loss = parts["heat"] + args.box_weight * parts["box"] + args.type_weight * parts["type"]
    return loss, {k: float(v.item()) for k, v in parts.items()}


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m comedo_train.train_closeups", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--coco", type=Path, required=True, help="closeups_train.json from `labelling convert`")
    p.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the photos' folder")
    p.add_argument("--holdout", required=True, help="source folder to validate on (lesion-types-more or "
                                                    "lesion-types/train); training uses the others. 'none': train "
                                                    "on every source, validate on none (the shipped model: its "
                                                    "figures come from the leave-one-source-out runs and external)")
    p.add_argument("--out", type=Path, required=True, help="run folder (runs/closeups/NAME)")
    p.add_argument("--epochs", type=int, default=20)
    p.add_argument("--batch", type=int, default=12)
    p.add_argument("--crop", type=int, default=256, help="training view side (256-320)")
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--backbone-lr-scale", type=float, default=0.3)
    p.add_argument("--warmup", type=int, default=40, help="linear warm-up steps")
    p.add_argument("--frozen-blocks", type=int, default=5,
                   help="Lite0 blocks kept frozen with ImageNet statistics (5: up to stride 8)")
    p.add_argument("--box-weight", type=float, default=5.0)
    p.add_argument("--type-weight", type=float, default=2.0)
    p.add_argument("--hard-weight", type=float, default=2.0, help="extra heat-loss weight on hard negatives")
    p.add_argument("--type-loss", choices=("smooth", "gce"), default="smooth",
                   help="smooth: cross-entropy with label smoothing; gce: generalised cross-entropy")
    p.add_argument("--label-smoothing", type=float, default=0.1)
    p.add_argument("--gce-q", type=float, default=0.7, help="generalised cross-entropy's q")
    p.add_argument("--scale-min", type=float, default=0.75)
    p.add_argument("--scale-max", type=float, default=1.6)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--validate-every", type=int, default=1)
    p.add_argument("--limit", type=int, default=0, help="use only N training photos (smoke test)")
    p.add_argument("--init", type=Path, help="start from this checkpoint's weights (a new stage)")
    p.add_argument("--resume", action="store_true", help="continue from OUT/last.pt")
    p.add_argument("--no-pretrained", action="store_true", help="random backbone (tests)")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if not 32 <= args.crop or args.crop % 32:
        raise SystemExit(f"--crop must be a multiple of 32, got {args.crop}")
    seed_everything(args.seed, args.threads)
    args.out.mkdir(parents=True, exist_ok=True)
    started = time.time()
    samples = load_closeups(args.coco, args.data)
    sources = sorted({s.source_folder for s in samples})
    if args.holdout not in (*sources, "none"):
        raise SystemExit(f"--holdout must be 'none' or one of the labelled sources {sources}, got {args.holdout!r}")
    train = [s for s in samples if s.source_folder != args.holdout]
    valid = [s for s in samples if s.source_folder == args.holdout]
    if args.limit:
        train = train[: args.limit]
    if not train:
        raise SystemExit(f"no training photos outside --holdout {args.holdout!r}")
    cw = class_weights(train)
    print(f"{len(train)} training photos ({sum(len(s.circles) for s in train)} lesions), {len(valid)} held out "
          f"({args.holdout}); class weights {dict(zip(TYPE_CLASSES, cw.round(2).tolist(), strict=True))}; "
          f"loaded in {time.time() - started:.0f}s", flush=True)
    class_weight = torch.from_numpy(cw)

    model = build_model(side=args.crop, pretrained=not args.no_pretrained, frozen_blocks=args.frozen_blocks)
    if args.init:
        load_matching_weights(model, args.init)
    body = {id(p) for p in model.backbone_parameters()}
    groups = [{"params": model.backbone_parameters(), "scale": args.backbone_lr_scale},
              {"params": [p for p in model.parameters() if p.requires_grad and id(p) not in body], "scale": 1.0}]
    optimizer = torch.optim.AdamW(groups, lr=args.lr, weight_decay=1e-4)
    steps_per_epoch = max(1, len(train) // args.batch)
    total = steps_per_epoch * args.epochs
    warmup = max(1, min(args.warmup, total // 10))

    def lr_at(step: int) -> float:
        if step < warmup:
            return args.lr * (step + 1) / warmup
        progress = min(1.0, (step - warmup) / max(total - warmup, 1))
        return args.lr * (0.02 + 0.98 * 0.5 * (1 + math.cos(math.pi * progress)))

    rng = np.random.default_rng(args.seed)
    start_epoch, best_f1, elapsed_before = 0, -1.0, 0.0
    last = args.out / "last.pt"
    if args.resume and last.exists():
        state = torch.load(last, weights_only=False)
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        start_epoch, best_f1, elapsed_before = state["epoch"] + 1, state["best_f1"], state["elapsed_s"]
        rng.bit_generator.state = state["rng"]
        torch.set_rng_state(state["torch_rng"])
        print(f"resumed at epoch {start_epoch}", flush=True)
    step = start_epoch * steps_per_epoch
    config = {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()}
    train_started = time.time()
    with (args.out / "history.jsonl").open("a") as history:
        for epoch in range(start_epoch, args.epochs):
            model.train()
            order = rng.permutation(len(train))
            t0, running = time.time(), Counter()
            for b in range(steps_per_epoch):
                picked = order[b * args.batch: (b + 1) * args.batch]
                views = [augment_closeup(train[i], rng, args.crop, scale_range=(args.scale_min, args.scale_max))
                         for i in picked]
                images, tgt = batch_targets(views, args.crop)
                for g in optimizer.param_groups:
                    g["lr"] = lr_at(step) * g["scale"]
                loss, parts = training_loss(model, images, tgt, class_weight, args)
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                torch.nn.utils.clip_grad_norm_(model.parameters(), 10.0)
                optimizer.step()
                running.update({"loss": float(loss.item()), **parts})
                step += 1
                if b % 10 == 0:
                    print(f"epoch {epoch} step {b}/{steps_per_epoch} loss {loss.item():.3f} "
                          + " ".join(f"{k} {v:.3f}" for k, v in parts.items())
                          + f" {(time.time() - t0) / (b + 1):.1f}s/step", flush=True)
            record: dict = {"epoch": epoch, **{f"train_{k}": v / steps_per_epoch for k, v in running.items()},
                            "epoch_s": round(time.time() - t0, 1)}
            figures = None
            if valid and ((epoch + 1) % args.validate_every == 0 or epoch + 1 == args.epochs):
                t1 = time.time()
                figures = evaluate(predict_rings(model, valid), valid)
                record.update({"holdout": args.holdout, **compact(figures), "valid_s": round(time.time() - t1, 1)})
                if (record["f1_overall"] or 0.0) > best_f1:
                    best_f1 = record["f1_overall"] or 0.0
                    torch.save({"model": model.state_dict(), "epoch": epoch, "figures": figures, "config": config},
                               args.out / "best.pt")
            elapsed = elapsed_before + time.time() - train_started
            record["elapsed_s"] = round(elapsed, 1)
            history.write(json.dumps(record) + "\n")
            history.flush()
            print(json.dumps(record), flush=True)
            torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "epoch": epoch,
                        "best_f1": best_f1, "elapsed_s": elapsed, "rng": rng.bit_generator.state,
                        "torch_rng": torch.get_rng_state(), "figures": figures, "config": config}, last)
    print(f"done in {time.time() - started:.0f}s; " + ("no source held out: use last.pt" if not valid else
                                                         f"best held-out F1 {best_f1:.3f}"), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
