"""Store the lesion-type network in int8 (ONNX Runtime static quantization) and update its card.

    python -m comedo_train.export_types runs/types_lite/last.pt --out runs/types_int8/fp32 ...   # float32 export
    python -m comedo_train.quantize_types runs/types_int8/fp32/lesion_types.onnx runs/types_lite/split.json

Weights per output channel in int8, activations in uint8 with ranges measured on ``--photos`` random photos of
the split's *training* families (never the held-out ones the calibration is fitted on, never the external set);
QDQ format, which ONNX Runtime runs with integer kernels (VNNI where the CPU has it). EfficientNet-Lite was
designed for this (ReLU6, no squeeze-excitation). The card keeps its figures until they are re-measured: run
``calibrate_types`` on the int8 network, then ``--calibration``/``--metrics``/``--external`` here again.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

import cv2
import numpy as np

from comedo.classify.onnx_classifier import square_input
from comedo.files import file_sha256
from comedo.nets.registry import WEIGHTS_DIR

CARD = WEIGHTS_DIR / "lesion_types.card.json"
CALIBRATION_KEYS = ("temperature", "group_min_confidence", "comedonal_min_confidence", "photo_min_confidence",
                    "deep_veto")


def network_input(path: Path, side: int) -> np.ndarray:
    """(1, 3, side, side) float32 0..255, as the package feeds the network (``square_input``)."""
    return square_input(cv2.cvtColor(cv2.imread(str(path)), cv2.COLOR_BGR2RGB), side)[None]


def quantize(fp32: Path, out: Path, photos: list[Path], side: int) -> None:
    from onnxruntime.quantization import (
        CalibrationDataReader,
        QuantFormat,
        QuantType,
        quant_pre_process,
        quantize_static,
    )

    class Photos(CalibrationDataReader):
        def __init__(self) -> None:
            self.left = iter(photos)

        def get_next(self) -> dict[str, np.ndarray] | None:
            path = next(self.left, None)
            return None if path is None else {"image": network_input(path, side)}

    prepared = out.with_suffix(".pre.onnx")
    quant_pre_process(str(fp32), str(prepared))
    quantize_static(str(prepared), str(out), Photos(), quant_format=QuantFormat.QDQ, per_channel=True,
                    activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8)
    prepared.unlink()


def card_figures(evaluated: dict, measured_by: str) -> dict:
    """The card's summary of a ``comedo evaluate-types --json-out`` file."""
    def brief(fig: dict) -> dict:
        return {k: fig[k] for k in ("macro_f1", "interval_95", "accuracy", "coverage")}

    return {
        "photos": evaluated["photos"], "source_photos": evaluated["source_photos"],
        "classifier_types": brief(evaluated["classifier"]["types"]),
        "classifier_groups": brief(evaluated["classifier"]["groups"]),
        "pipeline_types": brief(evaluated["pipeline"]["types"]),
        "pipeline_groups": brief(evaluated["pipeline"]["groups"]),
        "classifier_types_confusion_rows_truth": evaluated["classifier"]["types"]["confusion"],
        "labels": evaluated["labels"],
        "calibration_ece": {"types": evaluated["calibration"]["types_ece"],
                            "groups": evaluated["calibration"]["groups_ece"]},
        "advice": evaluated["advice"],
        "measured_by": measured_by,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("fp32", type=Path, help="a float32 export of the network (export_types without --fp16)")
    parser.add_argument("split", type=Path, help="split.json of the training run: its 'train' photos calibrate")
    parser.add_argument("--data", type=Path, default=Path("../shared/data/lesion-types"))
    parser.add_argument("--photos", type=int, default=240)
    parser.add_argument("--card", type=Path, default=CARD)
    parser.add_argument("--calibration", type=Path, help="calibrate_types output to write into the card")
    parser.add_argument("--metrics", type=Path, help="evaluate-types JSON on the held-out families")
    parser.add_argument("--external", type=Path, help="evaluate-types JSON on the external set")
    parser.add_argument("--skip-quantize", action="store_true", help="only update the card's figures")
    args = parser.parse_args(argv)
    card = json.loads(args.card.read_text())
    onnx_path = args.card.parent / card["file"]
    side = int(card["inference"]["input_size"])
    if not args.skip_quantize:
        train = sorted(json.loads(args.split.read_text())["train"])
        photos = [args.data / rel for rel in random.Random(0).sample(train, min(args.photos, len(train)))]
        quantize(args.fp32, onnx_path, photos, side)
        card["sha256"] = file_sha256(onnx_path)
        card["quantization"] = {
            "how": "python -m comedo_train.quantize_types FP32_EXPORT SPLIT_JSON (onnxruntime.quantization."
                   "quantize_static, QDQ, per-channel int8 weights, uint8 activations)",
            "calibration_photos": f"{len(photos)} random photos of the split's training families (seed 0)",
            "from": str(args.fp32),
        }
        card["architecture"] = card["architecture"].split("; stored in int8")[0] + (
            "; stored in int8 (weights per channel, activations per tensor), computed with integer kernels")
    if args.calibration:
        calibration = json.loads(args.calibration.read_text())
        for key in CALIBRATION_KEYS:
            if key in calibration:
                card["inference"][key] = float(calibration[key])
        card["inference"]["calibration_note"] = calibration.get("note", card["inference"]["calibration_note"])
    for flag, key, what in ((args.metrics, "metrics_valid", "the held-out families"),
                            (args.external, "metrics_external", "the external set")):
        if flag:
            kept = {k: v for k, v in card.get(key, {}).items()
                    if k in ("recipes_compared", "network_0_5_on_this_set", "training_loop_last_epoch")}
            card[key] = {**card_figures(json.loads(flag.read_text()), f"comedo evaluate-types on {what} (the full "
                                                                         "pipeline, this int8 network)"), **kept}
    args.card.write_text(json.dumps(card, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {onnx_path} ({onnx_path.stat().st_size / 1e6:.2f} MB) and {args.card}")


if __name__ == "__main__":
    main()
