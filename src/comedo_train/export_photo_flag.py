"""Export a photo-flag checkpoint (``train_photo_flag``) to ONNX with its model card.

    python -m comedo_train.export_photo_flag runs/instrument/last.pt --out src/comedo/nets/weights \\
        --command "python -m comedo_train.train_photo_flag --task instrument ..."

The task is read from the checkpoint. The card's figures are read from the
run's ``held_out.json`` (photos of the lesion-type split's held-out families
and ACNE04 valid faces, never trained on) at the card's threshold, which is
fixed at 0.5 rather than tuned on them.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

import numpy as np
import torch
from torch import nn

from comedo.files import file_sha256
from comedo_train.common import export_square_classifier
from comedo_train.train_photo_flag import TASKS, figures, read_labels
from comedo_train.train_types import TypeNet

THRESHOLD = 0.5

# What each task's card says beyond the figures.
CARD_TEXT = {
    "instrument": {
        "name": "instrument-or-fingers-s32",
        "file": "instrument.onnx",
        "task": "is a hand (bare or gloved), a needle, an extractor, tweezers or cotton in frame?",
        "faces": "acne04_faces_flagged",
        "known_limits": [
            "About 60 labelled positive groups, most from a few extraction-video sources (white gloves and "
            "needles): expect lower recall on other hands and tools.",
            "Labels are from thumbnails of the whole photo; a fingertip at the very edge may be missed by labeller "
            "and network alike.",
            "Decides on the whole frame: it does not say where the hand or tool is.",
        ],
    },
    "close_up": {
        "name": "close-up-or-wide-s32",
        "file": "close_up.onnx",
        "task": "is the photo a close-up of a patch of skin (probability) rather than a wider view of a face or body "
                "(a whole face, part of a face showing an eye or the lips, a body region from a distance)?",
        "faces": "acne04_faces_called_close_up",
        "known_limits": [
            "The line between a close-up and a wide view is a judgement: a cheek with the corner of an eye is "
            "borderline, and such photos were labelled unsure and left out of training and figures.",
            "Wide views in training are ACNE04's side views of faces and web photos of faces: body photos are few.",
        ],
    },
}


class Sigmoided(nn.Module):
    def __init__(self, net: TypeNet) -> None:
        super().__init__()
        self.net = net

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(self.net(x))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("checkpoint", type=Path)
    parser.add_argument("--out", type=Path, default=Path("src/comedo/nets/weights"))
    parser.add_argument("--command", default="", help="the training command, for the card")
    args = parser.parse_args(argv)
    state = torch.load(args.checkpoint, map_location="cpu", weights_only=False)
    name = state.get("task", "instrument")  # the first instrument checkpoints did not record their task
    task, text = TASKS[name], CARD_TEXT[name]
    values = {True: task.positive, False: task.negative, None: "unsure"}
    counted = Counter(values[v] for v in read_labels(task).values())
    net = TypeNet(n_classes=1)
    net.load_state_dict(state["model"])
    side = int(state["input"])
    onnx_path = args.out / text["file"]
    export_square_classifier(Sigmoided(net), side, onnx_path)
    run = args.checkpoint.parent
    held = json.loads((run / "held_out.json").read_text())
    p, y = np.array(held["probability"]), np.array(held["truth"], bool)
    faces = np.array(["acne04" in path for path in held["photos"]])
    rows = [json.loads(x) for x in (run / "history.jsonl").read_text().splitlines() if x.strip()]
    label_counts = ", ".join(f"{counted[v]} {v}" for v in (task.positive, task.negative, "unsure"))
    card = {
        "name": text["name"],
        "file": onnx_path.name,
        "sha256": file_sha256(onnx_path),
        "task": text["task"],
        "architecture": "the lesion-type classifier's network (detector encoder to stride 32, pooled stride-16 and "
                        "stride-32 features) with one logit; sigmoid in the graph",
        "inference": {
            "input": f"image: float32 (n, 3, {side}, {side}) RGB 0..255, the whole photo squashed to a square; "
                     "normalisation inside the graph",
            "input_size": side,
            "test_time": "mean of the photo and its mirror image",
            "threshold": THRESHOLD,
        },
        "training": {"command": args.command, "epochs": len(rows), "wall_clock_s": round(rows[-1]["elapsed_s"]),
                     "hardware": "2-core x86_64 CPU, torch 2.13.0 CPU (see docs/performance.md)"},
        "data": f"hand labels ({task.labels.name}, column {task.column}) on one photo of each linked group of the "
                f"lesion-types close-ups ({sum(counted.values())} groups: {label_counts}; unsure ones left out), "
                "applied to the group's copies; plus 300 ACNE04 train faces as negatives",
        "licence_note": "lesion-types photos carry no stated licence and ACNE04 is for academic use only: research "
                        "use only, do not use the weights commercially.",
        "metrics_valid": {
            "photos": int(len(y)), f"labelled_{task.positive}": int(y.sum()),
            "at_threshold": {k: round(v, 4) for k, v in figures(p, y, THRESHOLD).items()},
            "accuracy": round(float(((p >= THRESHOLD) == y).mean()), 4),
            text["faces"]: f"{int((p[faces] >= THRESHOLD).sum())} of {int(faces.sum())}",
            "held_out": "lesion-type split's held-out families (labels applied to all three copies of a photo) and "
                        "every fifth ACNE04 valid face",
        },
        "known_limits": text["known_limits"],
    }
    (args.out / f"{onnx_path.stem}.card.json").write_text(json.dumps(card, indent=2) + "\n")
    print(f"wrote {onnx_path} ({onnx_path.stat().st_size / 1e6:.2f} MB); held out: {card['metrics_valid']}")


if __name__ == "__main__":
    main()
