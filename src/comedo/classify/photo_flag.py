"""Yes/no questions about the whole photo, each a small network run with ONNX
Runtime: is a hand, glove or tool in frame (``instrument.onnx``)? Is it a
close-up rather than a wider view (``close_up.onnx``)?

The photo (the whole frame, squashed to ``input_size``) and its mirror image
are classified and their probabilities averaged. The card's ``threshold`` turns
the probability into a yes; its figures on held-out hand-labelled photos are in
the card and docs/performance.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from comedo.classify.onnx_classifier import SquareImageModel
from comedo.nets.card import ModelCard

__all__ = ["PhotoFlagCard", "OnnxPhotoFlag"]


@dataclass(frozen=True)
class PhotoFlagCard(ModelCard):
    input_size: int = 224
    threshold: float = 0.5

    @classmethod
    def settings(cls, inference: Mapping[str, Any]) -> dict[str, Any]:
        return dict(input_size=int(inference["input_size"]), threshold=float(inference["threshold"]))


class OnnxPhotoFlag(SquareImageModel):
    card: PhotoFlagCard

    def __init__(self, card_path: Path, *, threads: int | None = None) -> None:
        super().__init__(card_path, PhotoFlagCard.read(card_path), threads=threads)

    def probability(self, rgb: np.ndarray) -> float:
        """Probability of a yes for the RGB uint8 photo."""
        return float(self.run_images([rgb], mirror=True)[0, 0])
