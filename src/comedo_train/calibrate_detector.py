"""Calibrate and ship the detector: export, choose test-time options and the
operating threshold on ACNE04 valid through the full ``analyze`` pipeline,
then write the ONNX file and its model card into the package.

    python -m comedo_train.calibrate_detector runs/detector_box/best.pt --data ../shared/data/acne04/valid

The operating threshold minimises count MAE on valid (the issue asks for a
threshold calibrated on valid). Because that makes the valid count/grade figures
in-sample, a 2-fold cross-check by source is reported beside them: the
threshold is chosen on one half and scored on the other.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from comedo.detect.onnx_detector import OnnxDetector
from comedo.grade.scales import HAYASHI_UPPER
from comedo.workflows.evaluate import (
    DetectorRun,
    best_count_threshold,
    fit_hayashi_cutoffs,
    load_dataset,
    run_detector,
    score_run,
)
from comedo_train.export_detector import (
    CARD_NAME,
    INPUT_LONG_SIDE,
    ONNX_NAME,
    export_onnx,
    training_record,
    write_card,
)

CLOSE_UP_SCALES = {"extra_scales": [0.5, 0.25], "min_box_at_extra_scale_px": 60.0}


def _candidate(onnx: Path, threshold: float, flip: bool, refine: bool) -> OnnxDetector:
    card = onnx.parent / CARD_NAME
    # Close-up scales as shipped, so the figures are those `comedo evaluate` prints.
    write_card(onnx, card, {"operating_threshold": threshold}, {},
               {"flip_tta": flip, "refine_centre": refine, **CLOSE_UP_SCALES})
    return OnnxDetector(card)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("checkpoint", type=Path)
    parser.add_argument("--data", type=Path, default=Path("../shared/data/acne04/valid"))
    parser.add_argument("--out", type=Path, default=Path("src/comedo/nets/weights"))
    parser.add_argument("--history", type=Path, nargs="*",
                        default=[Path("runs/detector/history.jsonl"), Path("runs/detector_box/history.jsonl")],
                        help="history.jsonl of each training stage, in order")
    args = parser.parse_args(argv)
    ds = load_dataset(args.data)
    sources = sorted(set(ds.sources))
    rng = np.random.default_rng(0)
    rng.shuffle(sources)
    half = set(sources[: len(sources) // 2])
    fold_a = [i for i, s in enumerate(ds.sources) if s in half]
    fold_b = [i for i, s in enumerate(ds.sources) if s not in half]
    with tempfile.TemporaryDirectory() as tmp:
        onnx = Path(tmp) / ONNX_NAME
        export_onnx(args.checkpoint, onnx)

        def measure(flip: bool, refine: bool, threshold: float, fixed: bool = False) -> dict:
            """Figures of one configuration; the count threshold is re-chosen unless ``fixed``."""
            started = time.perf_counter()
            run = run_detector(ds, _candidate(onnx, threshold, flip, refine))
            thr = threshold if fixed else best_count_threshold(ds, run)
            cross = []
            for fit, check in ((fold_a, fold_b), (fold_b, fold_a)):
                t = best_count_threshold(ds, run, fit)
                cross.append(score_run(ds, run, t, check))
            n_a, n_b = len(fold_b), len(fold_a)
            cv = {k: round((cross[0][k] * n_a + cross[1][k] * n_b) / (n_a + n_b), 4)  # type: ignore[operator]
                  for k in ("count_mae", "grade_accuracy", "circles_recall", "circles_precision")}
            result = {"threshold": thr, "valid": score_run(ds, run, thr), "cross_checked": cv,
                      "seconds": round(time.perf_counter() - started, 1)}
            print(json.dumps({"flip_tta": flip, "refine_centre": refine, "run_threshold": threshold, **result},
                             default=str), flush=True)
            runs[(flip, refine, threshold)] = run
            return result

        runs: dict[tuple[bool, bool, float], DetectorRun] = {}
        results = {(flip, refine): measure(flip, refine, 0.3)
                   for flip, refine in ((False, False), (False, True), (True, False), (True, True))}
        # Centre refinement costs nothing. Flip TTA doubles the network's time: measured, but it must gain at
        # least 0.03 AP50 to ship, because with it batch throughput fell from about 17 to 12.6 photos/s on
        # 2 cores (the batch issue asks for 15) and 640x640 took 122 ms of the 150 ms budget.
        key = max(results, key=lambda k: results[k]["valid"]["ap50"] - (0.03 if k[0] else 0.0))
        flip, refine = key
        # The detector's skin-mask check counts detections above the operating threshold, so the
        # shipped configuration is measured once more with the threshold it will ship with.
        chosen = measure(flip, refine, results[key]["threshold"], fixed=True)
        run = runs[(flip, refine, results[key]["threshold"])]
        counts = np.array([int((sc >= chosen["threshold"]).sum()) for _, sc in run.predictions])
        graded = [i for i, g in enumerate(ds.grades) if g is not None]
        cutoffs = fit_hayashi_cutoffs(counts[graded], np.array([ds.grades[i] for i in graded]),
                                      data_name=str(args.data))
        print(json.dumps({"hayashi_cutoffs": cutoffs}), flush=True)
        if cutoffs["ship"]:
            chosen["valid"] = score_run(ds, replace(run, hayashi_upper=tuple(cutoffs["fitted"])), chosen["threshold"])
    plain = results[(False, False)]
    args.out.mkdir(parents=True, exist_ok=True)
    onnx = args.out / ONNX_NAME
    export_onnx(args.checkpoint, onnx)
    training = training_record(args.history)
    valid = {k: v for k, v in chosen["valid"].items() if k not in ("detector", "mean_ms_per_image")}
    metrics = {"operating_threshold": chosen["threshold"],
               "valid": {**valid, "flip_tta": flip,
                         "cross_checked_2fold": chosen["cross_checked"],
                         "refine_centre": refine,
                         "hayashi_cutoffs": cutoffs,
                         "input_long_side": INPUT_LONG_SIDE,
                         "alternatives": {f"flip_tta={f},refine_centre={r}": {
                             k: results[(f, r)]["valid"][k] for k in ("ap50", "count_mae", "grade_accuracy")}
                             for f, r in results},
                         "evaluated_by": "comedo evaluate ../shared/data/acne04/valid (full pipeline)"}}
    card = write_card(onnx, args.out / CARD_NAME, metrics, training, {
        "flip_tta": flip,
        "refine_centre": refine,
        "hayashi_upper": cutoffs["fitted"] if cutoffs["ship"] else list(HAYASHI_UPPER),
        **CLOSE_UP_SCALES,
        "extra_scales_note": (
            "used only when the scene stage calls the photo a close-up: the photo is also run at 320 and 160 px "
            "long side, keeping boxes of at least 60 px at the 640 px scale and overlapping no box already found; "
            "the figures above include them (the scene stage calls some ACNE04 faces close-ups)"),
    })
    print(f"shipped {onnx} ({onnx.stat().st_size / 1e6:.2f} MB, sha256 {card['sha256'][:12]}...), "
          f"threshold {chosen['threshold']}, flip_tta {flip}, refine_centre {refine} (plain: AP50 "
          f"{plain['valid']['ap50']})")


if __name__ == "__main__":
    main()
