"""The detector's weight-averaging stage (needs the train extra, torch; skipped without it)."""

from __future__ import annotations

import argparse
import io
import json
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from comedo_train.acne04 import Sample  # noqa: E402
from comedo_train.common import load_matching_weights  # noqa: E402
from comedo_train.detector_net import LesionNet  # noqa: E402
from comedo_train.train_detector import finish_average  # noqa: E402


def _sample(seed: int) -> Sample:
    rgb = np.random.default_rng(seed).integers(0, 255, (96, 96, 3), dtype=np.uint8)
    return Sample(f"p{seed}", f"s{seed}", 0, rgb, np.array([[30, 30, 50, 50]], np.float32))


def test_average_is_the_mean_of_the_snapshots_with_batch_norm_re_measured(tmp_path: Path) -> None:
    torch.manual_seed(0)
    a, b = LesionNet(), LesionNet()
    averaged = torch.optim.swa_utils.AveragedModel(a)
    averaged.update_parameters(a)
    averaged.update_parameters(b)
    args = argparse.Namespace(batch=2, crop=64, swa_bn_batches=2, epochs=1, out=tmp_path)
    history = io.StringIO()
    finish_average(averaged, [_sample(k) for k in range(4)], np.random.default_rng(0), args, [_sample(9)], history)

    record = json.loads(history.getvalue())
    assert record["swa_snapshots"] == 2 and 0.0 <= record["ap50"] <= 1.0
    saved = LesionNet()
    assert load_matching_weights(saved, tmp_path / "swa.pt") == len(saved.state_dict())
    for name, value in saved.named_parameters():
        expected = (dict(a.named_parameters())[name] + dict(b.named_parameters())[name]) / 2
        assert torch.allclose(value, expected, atol=1e-6), name
    norms = [m for m in saved.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    assert all(int(m.num_batches_tracked) > 0 for m in norms)  # measured on the crops
    assert not torch.allclose(norms[0].running_mean, torch.zeros_like(norms[0].running_mean))  # not a member's
