"""Train the lesion detector on ACNE04 from scratch, seeded, on a CPU.

    python -m comedo_train.train_detector --data ../shared/data/acne04 --out runs/detector

Checkpoints ``last.pt`` every epoch and ``best.pt`` (best valid AP50); ``--resume``
continues from ``last.pt``. Validation figures go to ``history.jsonl``.

``--swa-every N`` turns a run into a weight-averaging stage (SWA, Izmailov et al. 2018): the
learning rate stays at ``--lr`` after the warm-up, the weights are averaged every N steps, the
batch-norm statistics of the average are re-measured on training crops, and ``swa.pt`` is saved
and validated. Averaging walks the noisy valley floor that a single final checkpoint sits
somewhere on (the stage-2 AP50 moved by 0.02-0.05 between epochs); measured from the shipped
weights it gained nothing, so it is an option, not the recipe (docs/performance.md).
"""

from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path
from typing import TextIO

import numpy as np
import torch

from comedo.detect.decode import decode_centres
from comedo.grade.scales import hayashi_grade
from comedo.workflows.metrics import average_precision
from comedo_train.acne04 import Sample, augment, load_split, make_targets
from comedo_train.common import load_matching_weights, seed_everything
from comedo_train.detector_net import STRIDE, LesionNet


def focal_loss(pred_logit: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """CenterNet's penalty-reduced pixel-wise focal loss (alpha 2, beta 4)."""
    pred = torch.sigmoid(pred_logit).clamp(1e-4, 1 - 1e-4)
    pos = target.eq(1).float()
    neg = 1 - pos
    pos_loss = torch.log(pred) * (1 - pred) ** 2 * pos
    neg_loss = torch.log(1 - pred) * pred**2 * (1 - target) ** 4 * neg
    n = pos.sum().clamp(min=1)
    return -(pos_loss.sum() + neg_loss.sum()) / n


def giou_loss(pred: torch.Tensor, target: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
    """Weighted 1 - GIoU (Rezatofighi et al. 2019) of boxes given as side
    distances (N,4,h,w) from the same cell centre; ``weight`` (N,1,h,w) sums to 1
    per lesion, so the result is the mean over lesions."""
    w = weight[:, 0]
    sel = w > 0
    if not bool(sel.any()):
        return pred.sum() * 0.0
    p = pred.permute(0, 2, 3, 1)[sel]
    t = target.permute(0, 2, 3, 1)[sel]
    area_p = (p[:, 0] + p[:, 2]) * (p[:, 1] + p[:, 3])
    area_t = (t[:, 0] + t[:, 2]) * (t[:, 1] + t[:, 3])
    inter = (torch.minimum(p[:, 0], t[:, 0]) + torch.minimum(p[:, 2], t[:, 2])) * (
        torch.minimum(p[:, 1], t[:, 1]) + torch.minimum(p[:, 3], t[:, 3])
    )
    union = area_p + area_t - inter
    enclose = (torch.maximum(p[:, 0], t[:, 0]) + torch.maximum(p[:, 2], t[:, 2])) * (
        torch.maximum(p[:, 1], t[:, 1]) + torch.maximum(p[:, 3], t[:, 3])
    )
    giou = inter / union - (enclose - union) / enclose
    return ((1 - giou) * w[sel]).sum() / weight.sum().clamp(min=1)


def batch_targets(items: list[tuple[np.ndarray, np.ndarray]],
                  crop: int) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    images = torch.from_numpy(np.stack([im for im, _ in items])).permute(0, 3, 1, 2).float()
    targets = [make_targets(b, crop, crop) for _, b in items]
    return images, {k: torch.from_numpy(np.stack([t[k] for t in targets])) for k in targets[0]}


@torch.no_grad()
def predict(model: LesionNet, samples: list[Sample], batch: int = 8) -> list[tuple[np.ndarray, np.ndarray]]:
    """Boxes and scores (min score 0.01) for each sample at its own size, decoded as the shipped detector
    decodes (centre refined to the heatmap's sub-cell summit), so the loop's AP50 is the one that ships."""
    model.eval()
    out = []
    for i in range(0, len(samples), batch):
        chunk = samples[i : i + batch]
        x = torch.from_numpy(np.stack([s.rgb for s in chunk])).permute(0, 3, 1, 2).float()
        heat, size, offset = model(x)
        for j in range(len(chunk)):
            out.append(
                decode_centres(heat[j, 0].numpy(), size[j].numpy(), offset[j].numpy(), stride=STRIDE, min_score=0.01,
                               refine_centre=True)
            )
    return out


def validation_figures(preds: list[tuple[np.ndarray, np.ndarray]], samples: list[Sample]) -> dict[str, float]:
    truths = [s.boxes for s in samples]
    ap50 = average_precision(preds, truths, iou_threshold=0.5)
    best: dict[str, float] = {}
    for thr in np.arange(0.10, 0.61, 0.02):
        counts = np.array([int((sc >= thr).sum()) for _, sc in preds])
        true_counts = np.array([len(t) for t in truths])
        mae = float(np.abs(counts - true_counts).mean())
        acc = float(np.mean([hayashi_grade(int(c)) == s.grade for c, s in zip(counts, samples)]))
        if not best or mae < best["count_mae"]:
            best = {"count_threshold": round(float(thr), 2), "count_mae": mae, "grade_accuracy": acc}
    return {"ap50": ap50, **best}


def finish_average(averaged: torch.optim.swa_utils.AveragedModel, train: list[Sample], rng: np.random.Generator,
                   args: argparse.Namespace, valid: list[Sample], history: TextIO) -> None:
    """Re-measure the averaged weights' batch-norm statistics on augmented training crops (an average of
    weights is a new network, whose activations the running statistics of none of its members describe),
    then validate it and save ``swa.pt`` in the shape ``--init`` and the exporters read."""
    order = rng.permutation(len(train))

    def crops():
        for b in range(args.swa_bn_batches):
            picked = order[(b * args.batch) % len(train):][: args.batch]
            yield batch_targets([augment(train[i], rng, args.crop) for i in picked], args.crop)[0]

    t0 = time.time()
    torch.optim.swa_utils.update_bn(crops(), averaged)
    net = averaged.module
    record = {"swa_snapshots": int(averaged.n_averaged), **validation_figures(predict(net, valid), valid),
              "swa_bn_s": time.time() - t0}
    torch.save({"model": net.state_dict(), "epoch": args.epochs - 1, "figures": record}, args.out / "swa.pt")
    history.write(json.dumps(record) + "\n")
    history.flush()
    print(json.dumps(record), flush=True)


def build_detector(backbone: str, side: int = 384) -> torch.nn.Module:
    """The detector network a checkpoint's ``backbone`` names (``plain`` for checkpoints before 0.7)."""
    if backbone == "lite0":
        from comedo_train.lite_detector import LiteLesionNet

        return LiteLesionNet(side=side)
    return LesionNet()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path("../shared/data/acne04"))
    parser.add_argument("--out", type=Path, default=Path("runs/detector"))
    parser.add_argument("--epochs", type=int, default=36)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--crop", type=int, default=384)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--validate-every", type=int, default=3)
    parser.add_argument("--limit", type=int, default=0, help="use only N training images (smoke test)")
    parser.add_argument("--box-weight", type=float, default=5.0, help="weight of the GIoU loss (TTFNet uses 5)")
    parser.add_argument("--init", type=Path, help="start from this checkpoint's weights (heads that differ are new)")
    parser.add_argument("--warmup", type=int, default=300, help="linear warm-up steps")
    parser.add_argument("--resume", action="store_true")
    parser.add_argument("--swa-every", type=int, default=0,
                        help="average the weights every N steps at a constant learning rate (0: off)")
    parser.add_argument("--backbone", choices=("plain", "lite0"), default="plain",
                        help="plain: the compact network trained from scratch; lite0: EfficientNet-Lite0 from "
                             "ImageNet weights (comedo_train.lite_detector)")
    parser.add_argument("--backbone-lr-scale", type=float, default=0.3,
                        help="lite0: the pretrained backbone's learning rate as a multiple of --lr")
    parser.add_argument("--swa-bn-batches", type=int, default=120,
                        help="training batches that re-measure the averaged model's batch-norm statistics")
    args = parser.parse_args(argv)

    seed_everything(args.seed, args.threads)
    args.out.mkdir(parents=True, exist_ok=True)
    started = time.time()

    train = load_split(args.data / "train")
    if args.limit:
        train = train[: args.limit]
    valid = load_split(args.data / "valid")
    print(f"loaded {len(train)} train / {len(valid)} valid images in {time.time() - started:.0f}s", flush=True)

    model = build_detector(args.backbone, args.crop)
    if args.init:
        load_matching_weights(model, args.init)
    if args.backbone == "lite0":
        body = {id(p) for p in model.backbone_parameters()}
        groups = [{"params": model.backbone_parameters(), "scale": args.backbone_lr_scale},
                  {"params": [p for p in model.parameters() if p.requires_grad and id(p) not in body], "scale": 1.0}]
    else:
        groups = [{"params": list(model.parameters()), "scale": 1.0}]
    optimizer = torch.optim.AdamW(groups, lr=args.lr, weight_decay=1e-4)
    steps_per_epoch = len(train) // args.batch
    total_steps = steps_per_epoch * args.epochs
    warmup = min(args.warmup, total_steps // 10)

    def lr_at(step: int) -> float:
        if step < warmup:
            return args.lr * (step + 1) / warmup
        if args.swa_every:
            return args.lr
        progress = (step - warmup) / max(total_steps - warmup, 1)
        return args.lr * (0.02 + 0.98 * 0.5 * (1 + math.cos(math.pi * progress)))

    start_epoch, best_ap, elapsed_before = 0, -1.0, 0.0
    last = args.out / "last.pt"
    if args.resume and last.exists():
        state = torch.load(last, weights_only=False)
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        start_epoch, best_ap, elapsed_before = state["epoch"] + 1, state["best_ap"], state["elapsed_s"]
        np.random.set_state(state["np_rng"])
        torch.set_rng_state(state["torch_rng"])
        print(f"resumed at epoch {start_epoch}", flush=True)

    averaged = torch.optim.swa_utils.AveragedModel(model) if args.swa_every else None
    if averaged is not None and args.resume and (args.out / "swa_state.pt").exists():
        averaged.load_state_dict(torch.load(args.out / "swa_state.pt", weights_only=False))
    rng = np.random.default_rng(args.seed + start_epoch)
    step = start_epoch * steps_per_epoch
    history = (args.out / "history.jsonl").open("a")
    train_started = time.time()
    for epoch in range(start_epoch, args.epochs):
        model.train()
        order = rng.permutation(len(train))
        t0, running = time.time(), 0.0
        for b in range(steps_per_epoch):
            items = [augment(train[i], rng, args.crop) for i in order[b * args.batch : (b + 1) * args.batch]]
            images, tgt = batch_targets(items, args.crop)
            for g in optimizer.param_groups:
                g["lr"] = lr_at(step) * g.get("scale", 1.0)
            heat, ltrb = model.raw(images)
            loss_heat = focal_loss(heat, tgt["heat"])
            loss_box = giou_loss(ltrb, tgt["ltrb"], tgt["weight"])
            loss = loss_heat + args.box_weight * loss_box
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 10.0)
            optimizer.step()
            running += loss.item()
            step += 1
            if averaged is not None and step > warmup and step % args.swa_every == 0:
                averaged.update_parameters(model)
            if b % 50 == 0:
                print(f"epoch {epoch} step {b}/{steps_per_epoch} loss {loss.item():.3f} "
                      f"(heat {loss_heat.item():.3f} box {loss_box.item():.3f}) "
                      f"{(time.time() - t0) / (b + 1):.2f}s/step", flush=True)
        record: dict[str, float] = {"epoch": epoch, "train_loss": running / steps_per_epoch,
                                    "epoch_s": time.time() - t0}
        if (epoch + 1) % args.validate_every == 0 or epoch + 1 == args.epochs:
            record.update(validation_figures(predict(model, valid), valid))
            if record["ap50"] > best_ap:
                best_ap = record["ap50"]
                torch.save({"model": model.state_dict(), "epoch": epoch, "figures": record,
                            "backbone": args.backbone}, args.out / "best.pt")
        elapsed = elapsed_before + time.time() - train_started
        record["elapsed_s"] = elapsed
        history.write(json.dumps(record) + "\n")
        history.flush()
        print(json.dumps(record), flush=True)
        torch.save({"model": model.state_dict(), "backbone": args.backbone, "optimizer": optimizer.state_dict(),
                    "epoch": epoch,
                    "best_ap": best_ap, "elapsed_s": elapsed, "np_rng": np.random.get_state(),
                    "torch_rng": torch.get_rng_state()}, last)
        if averaged is not None:
            torch.save(averaged.state_dict(), args.out / "swa_state.pt")
    if averaged is not None:
        finish_average(averaged, train, rng, args, valid, history)
    print(f"done in {time.time() - started:.0f}s; best valid AP50 {best_ap:.3f}", flush=True)


if __name__ == "__main__":
    main()
