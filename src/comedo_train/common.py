"""What the training scripts share: repeatable seeding, and starting from another run's weights."""

from __future__ import annotations

import math
import random
from pathlib import Path

import numpy as np
import torch

__all__ = ["seed_everything", "load_matching_weights", "export_square_classifier", "warmup_cosine_lr", "to_fp16"]


def seed_everything(seed: int, threads: int) -> None:
    """Seed Python, numpy and torch, and fix torch's CPU thread count (results depend on it)."""
    torch.set_num_threads(threads)
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def load_matching_weights(model: torch.nn.Module, checkpoint: Path) -> int:
    """Copy into ``model`` every tensor of ``checkpoint`` whose name and shape match
    (a shared encoder, or all but a replaced head); returns how many were copied."""
    state = torch.load(checkpoint, map_location="cpu", weights_only=False)["model"]
    own = model.state_dict()
    usable = {k: v for k, v in state.items() if k in own and own[k].shape == v.shape}
    model.load_state_dict(usable, strict=False)
    print(f"initialised {len(usable)}/{len(own)} tensors from {checkpoint}", flush=True)
    return len(usable)


def export_square_classifier(model: torch.nn.Module, side: int, path: Path) -> None:
    """Export a photo classifier (square RGB input ``image``, output ``probs``) to ONNX with a free batch size."""
    torch.onnx.export(model.eval(), (torch.zeros(1, 3, side, side),), str(path), input_names=["image"],
                      output_names=["probs"], dynamic_axes={"image": {0: "n"}, "probs": {0: "n"}}, opset_version=17,
                      dynamo=False)


def warmup_cosine_lr(base: float, step: int, total: int, warmup: int = 50) -> float:
    """Linear warm-up over ``warmup`` steps, then cosine decay to zero at ``total`` (the classifiers' schedule)."""
    return base * 0.5 * (1 + math.cos(math.pi * step / total)) if step > warmup else base * (step + 1) / warmup


def to_fp16(path: Path, *, min_elements: int = 1024) -> None:
    """Store an ONNX graph's large float32 weights as float16, each followed by a Cast back to float32.

    The file halves (EfficientNet-Lite0 is 13 MB in float32, over the package's 10 MB per model) while every
    operation still computes in float32, so the only change is the weights' rounding to 11 significant bits;
    ONNX Runtime folds the casts once when it loads the graph."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    model = onnx.load(str(path))
    graph = model.graph
    kept, casts = [], []
    for init in graph.initializer:
        if init.data_type == TensorProto.FLOAT and np.prod(init.dims) >= min_elements:
            half = numpy_helper.from_array(numpy_helper.to_array(init).astype(np.float16), f"{init.name}__fp16")
            kept.append(half)
            casts.append(helper.make_node("Cast", [half.name], [init.name], to=TensorProto.FLOAT,
                                          name=f"{init.name}__cast"))
        else:
            kept.append(init)
    del graph.initializer[:]
    graph.initializer.extend(kept)
    nodes = casts + list(graph.node)
    del graph.node[:]
    graph.node.extend(nodes)
    onnx.checker.check_model(model)
    onnx.save(model, str(path))
