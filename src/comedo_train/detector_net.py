"""A compact fully convolutional centre-heatmap lesion detector (PyTorch).

Design, chosen for small round lesions (median ~27 px at 640x640) and a 2-core
CPU budget: a plain ResNet-style encoder down to stride 32 for context, an
FPN-style top-down path back to stride 4, and two 1x1 heads: a centre heatmap
(CenterNet, Zhou et al. 2019) and, at every cell, the distances from the cell
centre to the box's four sides (TTFNet, Liu et al. 2020), trained with a GIoU
loss over the cells near each centre. Regressing the sides directly, rather
than a size plus a sub-cell offset, measured better localisation on ACNE04:
its box labels are noisy by about a fifth of a lesion's width, so an offset
head alone learned nothing (see docs/performance.md).

``forward`` still returns (heat, size, offset), the interface the package's
decoder reads, so the ONNX file's outputs keep their meaning. Normalisation
of the RGB 0..255 input happens inside the graph so the ONNX file carries it.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from comedo_train.detector_geometry import MEAN, SIZE_UNIT_PX, STD, STRIDE

__all__ = ["LesionNet", "decoder_outputs", "MEAN", "SIZE_UNIT_PX", "STD", "STRIDE"]


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
    pixels, ``offset`` (N,2,H/4,W/4) in cells: the box centre is at
    ``(cell + offset) * STRIDE`` (the offset may leave [0, 1]).
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
        self.box = nn.Conv2d(head, 4, 1)
        nn.init.constant_(self.heat.bias, -2.19)  # prior 0.1, as in CenterNet

    def raw(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Heat logits (N,1,h,w) and side distances l, t, r, b in pixels (N,4,h,w)."""
        x = (x - self.mean) / self.std
        c2 = self.stem(x)
        c4 = self.s4(c2)
        c8 = self.s8(c4)
        c16 = self.s16(c8)
        c32 = self.s32(c16)
        p16 = self.lat16(c16) + F.interpolate(self.lat32(c32), scale_factor=2.0, mode="nearest")
        p8 = self.smooth8(self.lat8(c8) + F.interpolate(p16, scale_factor=2.0, mode="nearest"))
        p4 = self.fuse4(c4 + F.interpolate(self.down8(p8), scale_factor=2.0, mode="nearest"))
        return self.heat(p4), torch.exp(self.box(p4).clamp(-4, 4)) * (SIZE_UNIT_PX / 2)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        return decoder_outputs(*self.raw(x))


def decoder_outputs(heat_logits: torch.Tensor, ltrb: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(heat, size, offset), the outputs the package's decoder reads, from heat logits and side distances."""
    left, top, right, bottom = ltrb[:, 0:1], ltrb[:, 1:2], ltrb[:, 2:3], ltrb[:, 3:4]
    size = torch.cat([left + right, top + bottom], dim=1)
    offset = 0.5 + torch.cat([right - left, bottom - top], dim=1) / (2 * STRIDE)
    return torch.sigmoid(heat_logits), size, offset
