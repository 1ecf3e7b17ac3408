"""The Lite0 detector keeps the package decoder's interface: heat, size, offset at stride 4."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("efficientnet_lite_pytorch")


def test_outputs_at_stride_four_with_the_decoder_interface() -> None:
    from comedo_train.lite_detector import LiteLesionNet

    model = LiteLesionNet(side=128, pretrained=False).eval()
    with torch.no_grad():
        heat, size, offset = model(torch.rand(2, 3, 128, 192) * 255)
    assert heat.shape == (2, 1, 32, 48) and size.shape == (2, 2, 32, 48) and offset.shape == (2, 2, 32, 48)
    assert float(heat.min()) >= 0 and float(heat.max()) <= 1 and float(size.min()) > 0
    frozen = [p for p in model.frozen.parameters()]
    assert frozen and not any(p.requires_grad for p in frozen)
    model.train()
    assert not model.frozen.training and model.fuse4.training  # frozen batch norm keeps ImageNet's statistics
