"""Yes/no questions about the whole photo, each a small network run with ONNX
Runtime: is a hand, glove or tool in frame (``instrument.onnx``)? Is it a
close-up rather than a wider view (``close_up.onnx``)?

The photo (the whole frame, squashed to ``input_size``) and its mirror image
are classified and their probabilities averaged. The card's ``threshold`` turns
the probability into a yes; its figures on held-out hand-labelled photos are in
the card and docs/performance.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from comedo.classify.onnx_classifier import SquareImageModel
from comedo.nets.session import parse_card

__all__ = ["PhotoFlagCard", "OnnxPhotoFlag"]


@dataclass(frozen=True)
class PhotoFlagCard:
    name: str
    file: str
    sha256: str
    input_size: int
    threshold: float

    @classmethod
    def read(cls, path: Path) -> PhotoFlagCard:
        return parse_card(path, lambda d: cls(d["name"], d["file"], d["sha256"], int(d["inference"]["input_size"]),
                                              float(d["inference"]["threshold"])))


class OnnxPhotoFlag(SquareImageModel):
    card: PhotoFlagCard

    def __init__(self, card_path: Path, *, threads: int | None = None) -> None:
        super().__init__(card_path, PhotoFlagCard.read(card_path), threads=threads)

    def probability(self, rgb: np.ndarray) -> float:
        """Probability of a yes for the RGB uint8 photo."""
        return float(self.run_images([rgb], mirror=True)[0, 0])
