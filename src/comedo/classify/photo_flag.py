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

import cv2
import numpy as np

from comedo.onnx_session import OnnxModel, parse_card

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


class OnnxPhotoFlag(OnnxModel):
    card: PhotoFlagCard

    def __init__(self, card_path: Path, *, threads: int | None = None) -> None:
        super().__init__(card_path, PhotoFlagCard.read(card_path), threads=threads)

    def probability(self, rgb: np.ndarray) -> float:
        """Probability of a yes for the RGB uint8 photo."""
        side = self.card.input_size
        h, w = rgb.shape[:2]
        small = cv2.resize(rgb, (side, side), interpolation=cv2.INTER_AREA if min(h, w) > side else cv2.INTER_LINEAR)
        batch = np.stack([small, small[:, ::-1]]).astype(np.float32).transpose(0, 3, 1, 2)
        (probs,) = self._session.run(None, {"image": np.ascontiguousarray(batch)})
        return float(np.mean(probs))
