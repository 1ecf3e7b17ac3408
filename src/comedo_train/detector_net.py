"""A compact fully convolutional centre-heatmap lesion detector (PyTorch).

Design, chosen for small round lesions (median ~27 px at 640x640) and a 2-core
CPU budget: a plain ResNet-style encoder down to stride 32 for context, an
FPN-style top-down path back to stride 4, and three 1x1 heads (CenterNet,
Zhou et al. 2019): centre heatmap, box size, sub-cell offset. Normalisation of
the RGB 0..255 input happens inside the graph so the ONNX file carries it.
"""

from __future__ import annotations

import torch
from torch import nn
import torch.nn.functional as F

STRIDE = 4
SIZE_UNIT_PX = 16.0
MEAN = (0.485 * 255, 0.456 * 255, 0.406 * 255)
STD = (0.229 * 255, 0.224 * 255, 0.225 * 255)


def conv_bn(cin: int, cout: int, k: int = 3, s: int = 1) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(cin, cout, k, s, k // 2, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True)
    )


class Residual(nn.Module):
    def __init__(self, c: int) -> None:
        super().__init__()
        self.a = conv_bn(c, c)
        self.b = nn.Sequential(nn.Conv2d(c, c, 3, 1, 1, bias=False), nn.BatchNorm2d(c))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.relu(x + self.b(self.a(x)))


class LesionNet(nn.Module):
    """Input (N, 3, H, W) RGB float 0..255, H and W multiples of 32.

    Outputs ``heat`` (N,1,H/4,W/4) in [0,1], ``size`` (N,2,H/4,W/4) box w,h in
    pixels, ``offset`` (N,2,H/4,W/4) in cells.
    """

    def __init__(self, widths: tuple[int, ...] = (16, 24, 48, 96, 128), fpn: int = 48, head: int = 32) -> None:
        super().__init__()
        w0, w1, w2, w3, w4 = widths
        self.register_buffer("mean", torch.tensor(MEAN).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor(STD).view(1, 3, 1, 1))
        self.stem = conv_bn(3, w0, 3, 2)  # /2
        self.s4 = nn.Sequential(conv_bn(w0, w1, 3, 2), conv_bn(w1, w1))  # /4
        self.s8 = nn.Sequential(conv_bn(w1, w2, 3, 2), Residual(w2))  # /8
        self.s16 = nn.Sequential(conv_bn(w2, w3, 3, 2), Residual(w3), Residual(w3))  # /16
        self.s32 = nn.Sequential(conv_bn(w3, w4, 3, 2), Residual(w4))  # /32
        self.lat32 = nn.Conv2d(w4, fpn, 1)
        self.lat16 = nn.Conv2d(w3, fpn, 1)
        self.lat8 = nn.Conv2d(w2, fpn, 1)
        self.smooth8 = conv_bn(fpn, fpn)
        self.down8 = nn.Conv2d(fpn, w1, 1)
        self.fuse4 = conv_bn(w1, head)
        self.heat = nn.Conv2d(head, 1, 1)
        self.size = nn.Conv2d(head, 2, 1)
        self.offset = nn.Conv2d(head, 2, 1)
        nn.init.constant_(self.heat.bias, -2.19)  # prior 0.1, as in CenterNet

    def raw(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        x = (x - self.mean) / self.std
        c2 = self.stem(x)
        c4 = self.s4(c2)
        c8 = self.s8(c4)
        c16 = self.s16(c8)
        c32 = self.s32(c16)
        p16 = self.lat16(c16) + F.interpolate(self.lat32(c32), scale_factor=2.0, mode="nearest")
        p8 = self.smooth8(self.lat8(c8) + F.interpolate(p16, scale_factor=2.0, mode="nearest"))
        p4 = self.fuse4(c4 + F.interpolate(self.down8(p8), scale_factor=2.0, mode="nearest"))
        return self.heat(p4), self.size(p4), self.offset(p4)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        heat, size, offset = self.raw(x)
        return torch.sigmoid(heat), torch.exp(size.clamp(-4, 4)) * SIZE_UNIT_PX, torch.sigmoid(offset)
