"""Is a hand, glove or tool in frame? A small network, run with ONNX Runtime.

The photo (the whole frame, squashed to ``input_size``) and its mirror image
are classified and their probabilities averaged. The card's ``threshold`` turns
the probability into the scene's ``instrument_or_fingers`` flag; its figures on
held-out hand-labelled photos are in the card and docs/performance.md.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from comedo.errors import ModelError
from comedo.onnx_session import OnnxModel

__all__ = ["InstrumentCard", "OnnxInstrumentClassifier"]


@dataclass(frozen=True)
class InstrumentCard:
    name: str
    file: str
    sha256: str
    input_size: int
    threshold: float

    @classmethod
    def read(cls, path: Path) -> InstrumentCard:
        try:
            data = json.loads(path.read_text())
            inf = data["inference"]
            return cls(data["name"], data["file"], data["sha256"], int(inf["input_size"]), float(inf["threshold"]))
        except (OSError, ValueError, KeyError) as exc:
            raise ModelError(f"model card {path} is missing or malformed: {exc}") from exc


class OnnxInstrumentClassifier(OnnxModel):
    card: InstrumentCard

    def __init__(self, card_path: Path, *, threads: int | None = None) -> None:
        super().__init__(card_path, InstrumentCard.read(card_path), threads=threads)

    def probability(self, rgb: np.ndarray) -> float:
        """Probability that fingers, a glove or a tool is in the RGB uint8 photo."""
        side = self.card.input_size
        h, w = rgb.shape[:2]
        small = cv2.resize(rgb, (side, side), interpolation=cv2.INTER_AREA if min(h, w) > side else cv2.INTER_LINEAR)
        batch = np.stack([small, small[:, ::-1]]).astype(np.float32).transpose(0, 3, 1, 2)
        (probs,) = self._session.run(None, {"image": np.ascontiguousarray(batch)})
        return float(np.mean(probs))
