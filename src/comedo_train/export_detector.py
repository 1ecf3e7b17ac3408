"""Export a trained detector checkpoint to ONNX and write its model card.

    python -m comedo_train.export_detector runs/detector/best.pt --out src/comedo/nets/weights

The card holds what inference needs (input size, stride, threshold, scales),
the sha256 of the ONNX file, and the facts a user needs to trust it (data,
licence note, validation metrics, limits). Metrics and the operating threshold
come from ``comedo_train.calibrate_detector``; pass its JSON with --metrics.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import torch

from comedo.files import file_sha256
from comedo_train.detector_net import MEAN, SIZE_UNIT_PX, STD, STRIDE

ONNX_NAME = "lesion_detector.onnx"
CARD_NAME = "lesion_detector.card.json"


def export_onnx(checkpoint: Path, onnx_path: Path) -> None:
    from comedo_train.train_detector import build_detector

    state = torch.load(checkpoint, map_location="cpu", weights_only=False)
    model = build_detector(state.get("backbone", "plain"), 640)
    model.load_state_dict(state["model"])
    model.eval()
    dummy = torch.zeros(1, 3, 640, 640)
    onnx_path.parent.mkdir(parents=True, exist_ok=True)
    torch.onnx.export(
        model, (dummy,), str(onnx_path), input_names=["image"], output_names=["heat", "size", "offset"],
        dynamic_axes={"image": {0: "n", 2: "height", 3: "width"}, "heat": {0: "n", 2: "h4", 3: "w4"},
                      "size": {0: "n", 2: "h4", 3: "w4"}, "offset": {0: "n", 2: "h4", 3: "w4"}},
        opset_version=17, dynamo=False,
    )


INPUT_LONG_SIDE = 640


def write_card(onnx_path: Path, card_path: Path, metrics: dict, training: dict,
               inference_options: dict | None = None) -> dict:
    """Write the model card; ``inference_options`` (test-time choices such as flip_tta,
    refine_centre, hayashi_upper, extra_scales) override or extend its ``inference`` block."""
    card = {
        "name": "acne04-centernet-ltrb-s4",
        "file": onnx_path.name,
        "sha256": file_sha256(onnx_path),
        "task": "acne lesion detection (one class) on faces and close-ups",
        "architecture": "ResNet-style encoder to stride 32, FPN top-down to stride 4; a centre heatmap "
                        "(CenterNet) and per-cell distances to the box sides (TTFNet, GIoU loss), exported as "
                        "(heat, size, offset); trained from scratch in two stages",
        "inference": {
            "input": "image: float32 (N, 3, H, W) RGB 0..255, H and W multiples of 32",
            "normalisation": f"inside the graph: (x - {list(MEAN)}) / {list(STD)}",
            "outputs": "heat (N,1,H/4,W/4) sigmoid; size (N,2,H/4,W/4) box w,h px; offset (N,2,H/4,W/4): "
                       "box centre at (cell + offset) * stride px",
            "size_unit_px": SIZE_UNIT_PX,
            "input_long_side": INPUT_LONG_SIDE,
            "stride": STRIDE,
            "pad_multiple": 32,
            "operating_threshold": metrics["operating_threshold"],
            "extra_scales": metrics.get("extra_scales", []),
            "min_box_at_extra_scale_px": metrics.get("min_box_at_extra_scale_px", 1e9),
        },
        "training": training,
        "data": {
            "train": "ACNE04 train split (Roboflow 'Acne04 Detection v5' export): 2973 images = 991 source "
                     "photos x 3 augmented copies, 640x640, one class acne_lesion",
            "validation": "ACNE04 valid split: 283 source photos (no overlap with train), boxes; 243 of them "
                          "also with acne04v2 expert circles",
        },
        "licence_note": "Trained on ACNE04 (Wu et al., ICCV 2019). ACNE04 is 'free for academic usage; other "
                        "purposes contact the authors'; the Roboflow re-export states CC BY 4.0. The weights "
                        "inherit the academic-use note: do not use them commercially without the authors' consent.",
        "metrics_valid": metrics.get("valid", {}),
        "known_limits": [
            "Trained on side views of East Asian faces photographed in clinic (ACNE04); other skin tones, "
            "lighting and body sites are less well covered.",
            "One class: it finds lesions but does not type them (see the lesion-type classifier).",
            "Very small lesions (radius under ~5 px at 640 px) and flat post-inflammatory marks are often "
            "missed or confused; ACNE04 boxes mark the clearer lesions only.",
            "Close-ups rely on the coarse extra scales; lesions filling most of the frame may be missed.",
        ],
    }
    card["inference"].update(inference_options or {})
    card_path.write_text(json.dumps(card, indent=2) + "\n")
    return card


TRAINING_COMMANDS = (
    "python -m comedo_train.train_detector --data ../shared/data/acne04 --out runs/detector --epochs 36 --seed 0 "
    "--threads 2",
    "python -m comedo_train.train_detector --data ../shared/data/acne04 --init runs/detector/best.pt "
    "--out runs/detector_box --epochs 15 --lr 1.5e-3 --warmup 100 --seed 0 --threads 2",
)


def training_record(histories: list[Path], commands: tuple[str, ...] = TRAINING_COMMANDS) -> dict:
    """The card's account of training: the commands, and each stage's epochs and wall-clock time."""
    training: dict = {"commands": list(commands), "stages": [],
                      "hardware": "2-core x86_64 CPU (shared with other work during the runs), torch 2.13.0 CPU, "
                                  "2 threads"}
    for history in histories:
        if not history.exists():
            continue
        rows = [json.loads(line) for line in history.read_text().splitlines() if line.strip()]
        if rows:
            training["stages"].append({"history": str(history), "epochs": rows[-1]["epoch"] + 1,
                                       "wall_clock_s": round(rows[-1]["elapsed_s"])})
    training["wall_clock_s"] = sum(stage["wall_clock_s"] for stage in training["stages"])
    return training


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("checkpoint", type=Path)
    parser.add_argument("--out", type=Path, default=Path("src/comedo/nets/weights"))
    parser.add_argument("--metrics", type=Path, help="JSON from comedo_train.calibrate_detector")
    parser.add_argument("--history", type=Path, nargs="*", default=[],
                        help="history.jsonl of each training stage, in order")
    args = parser.parse_args(argv)
    onnx_path = args.out / ONNX_NAME
    export_onnx(args.checkpoint, onnx_path)
    metrics = json.loads(args.metrics.read_text()) if args.metrics else {"operating_threshold": 0.3}
    training = training_record(args.history)
    card = write_card(onnx_path, args.out / CARD_NAME, metrics, training)
    print(f"wrote {onnx_path} ({onnx_path.stat().st_size / 1e6:.2f} MB, sha256 {card['sha256'][:12]}...) "
          f"and {args.out / CARD_NAME}")


if __name__ == "__main__":
    main()
