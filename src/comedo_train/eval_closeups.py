"""Score a close-up detector checkpoint on labelled close-ups: matched-lesion F1 overall and per group.

    python -m comedo_train.eval_closeups runs/closeups/NAME/last.pt runs/closeups/coco/closeups_train.json \\
        --source lesion-types-more --json-out runs/closeups/NAME/holdout.json
    python -m comedo_train.eval_closeups runs/closeups/NAME/last.pt runs/closeups/coco/external_eval.json \\
        --threshold 0.3 --json-out runs/closeups/NAME/external.json

Rings are decoded as in training's validation (``train_closeups.predict_rings``) and matched by
``labelling.score``'s rule. ``--threshold`` fixes the heat threshold (take it from the held-out source, never from
``external_eval.json``, which is for measuring only); without it every threshold of ``THRESHOLDS`` is reported.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import torch

from comedo_train.closeup_data import load_closeups
from comedo_train.labelling.score import GROUPS
from comedo_train.labelling.vocab import DEFAULT_DATA
from comedo_train.train_closeups import THRESHOLDS, build_model, evaluate, predict_rings

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m comedo_train.eval_closeups", description=__doc__.split("\n")[0])
    p.add_argument("checkpoint", type=Path)
    p.add_argument("coco", type=Path)
    p.add_argument("--data", type=Path, default=DEFAULT_DATA)
    p.add_argument("--source", help="only photos of this source folder")
    p.add_argument("--threshold", type=float, help="report at this heat threshold only")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--json-out", type=Path)
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)
    state = torch.load(args.checkpoint, map_location="cpu", weights_only=False)
    config = state.get("config", {})
    model = build_model(side=int(config.get("crop", 256)), pretrained=False,
                        frozen_blocks=int(config.get("frozen_blocks", 5)))
    model.load_state_dict(state["model"])
    samples = load_closeups(args.coco, args.data, sources=(args.source,) if args.source else None)
    if not samples:
        print(f"error: no photos with status ok in {args.coco}" + (f" from {args.source}" if args.source else ""),
              file=sys.stderr)
        return 2
    thresholds = (args.threshold,) if args.threshold is not None else THRESHOLDS
    figures = evaluate(predict_rings(model, samples), samples, thresholds=thresholds, n_boot=1000)
    figures.update({"checkpoint": str(args.checkpoint), "epoch": state.get("epoch"), "coco": str(args.coco),
                    "source": args.source})
    for key, block in figures["by_threshold"].items():
        line = "  ".join(f"{g} {block[g]['f1']:.3f}" if block[g]["f1"] is not None else f"{g} -"
                         for g in ("overall", *GROUPS))
        o = block["overall"]
        ci = o["f1_interval"]
        print(f"threshold {key}: F1 {line}  (overall 95% {ci[0]:.3f}-{ci[1]:.3f}; recall {o['recall']:.2f} "
              f"precision {o['precision'] or 0:.2f}; labels {o['labels']} rings {o['rings']})" if ci else
              f"threshold {key}: F1 {line}")
    print(f"{figures['photos']} photos; best overall at threshold {figures['best_threshold']:g} "
          f"(epoch {figures['epoch']})")
    types = figures["types_matched"]
    if types["matched_typed"]:
        print(f"matched lesions of the six types: {types['matched_typed']}; ring type = label type "
              f"{types['type_accuracy']:.3f}, same group {types['group_accuracy']:.3f}")
        print("label -> ring: " + ", ".join(f"{k} {n}" for k, n in list(types["pairs"].items())[:16]))
    if args.json_out:
        args.json_out.parent.mkdir(parents=True, exist_ok=True)
        args.json_out.write_text(json.dumps(figures, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
