"""Lesion-type classifier run with ONNX Runtime, described by a model card.

The network takes a square RGB crop (``input_size``, float32 0..255,
normalisation inside the graph) and returns softmax probabilities over the six
``LesionType`` values in ``labels`` order. A whole close-up is classified as the
mean over seven views (the photo, its mirror, and crops of 80 % at the four
corners and the centre), which measured 0.01 better macro-F1 than the photo and
its mirror alone; per-lesion crops get one pass, to keep many-lesion faces
within the speed budget.

Per-lesion typing crops a square ``context`` times the lesion's radius around
its centre; lesions whose crop would be under ``min_crop_px`` pixels of the
original photo are too small to judge and stay untyped, with that reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from comedo.nets.card import ModelCard
from comedo.nets.session import OnnxModel
from comedo.types import Untyped, UntypedCode

__all__ = ["TypeCard", "SquareImageModel", "OnnxTypeClassifier", "calibrated"]


@dataclass(frozen=True)
class TypeCard(ModelCard):
    input_size: int = 224
    labels: tuple[str, ...] = ()
    context: float = 1.0
    min_crop_px: int = 24
    min_confidence: float = 0.5
    # A close-up's photo-level answer: its group is named when the group's summed probability reaches
    # group_min_confidence, its six-way label when that type's reaches photo_min_confidence (the card's
    # calibration on the training folder's held-out families; cards before 0.6 have neither: 0.5).
    group_min_confidence: float = 0.5
    photo_min_confidence: float = 0.5
    views: int = 7  # whole-photo test-time views: 7 (photo, mirror, four corners and the centre), 2 or 1
    # Naming a spot comedonal invites squeezing it, so that group may need more than the others; and a
    # temperature fitted on held-out photos makes the probabilities mean what they say (1: none).
    comedonal_min_confidence: float = 0.5
    temperature: float = 1.0
    deep_veto: float = 1.0  # a deep-group probability from which a nodule or cyst is not ruled out (1: never)
    # A deep-group probability from which a nodule or cyst is likely enough to see a GP (triage routine); 1: never.
    deep_likely: float = 1.0

    @classmethod
    def settings(cls, inf: Mapping[str, Any]) -> dict[str, Any]:
        return dict(input_size=int(inf["input_size"]), labels=tuple(inf["labels"]), context=float(inf["context"]),
                    min_crop_px=int(inf["min_crop_px"]), min_confidence=float(inf["min_confidence"]),
                    group_min_confidence=float(inf.get("group_min_confidence", 0.5)),
                    photo_min_confidence=float(inf.get("photo_min_confidence", 0.5)), views=int(inf.get("views", 7)),
                    comedonal_min_confidence=float(inf.get("comedonal_min_confidence",
                                                           inf.get("group_min_confidence", 0.5))),
                    temperature=float(inf.get("temperature", 1.0)), deep_veto=float(inf.get("deep_veto", 1.0)),
                    deep_likely=float(inf.get("deep_likely", 1.0)))


def square_input(rgb: np.ndarray, size: int) -> np.ndarray:
    """(3, size, size) float32 0..255: an RGB uint8 image of any size squashed to a network's input. One area
    resize, as in training (halving first, as comedo.measure.resample does, moves the probabilities by up to 0.05
    on 640 px photos)."""
    interpolation = cv2.INTER_AREA if min(rgb.shape[:2]) > size else cv2.INTER_LINEAR
    return cv2.resize(rgb, (size, size), interpolation=interpolation).astype(np.float32).transpose(2, 0, 1)


class SquareImageModel(OnnxModel):
    """An ONNX network on square RGB images: input ``image`` of side ``card.input_size``
    (float32 0..255, normalisation inside the graph), one row of outputs per image."""

    def run_images(self, images: list[np.ndarray], *, mirror: bool) -> np.ndarray:
        """(n, outputs) for RGB uint8 images of any size, each squashed to the input side;
        ``mirror`` averages each image with its mirror image (twice the cost)."""
        batch = np.stack([square_input(c, self.card.input_size) for c in images])
        if not mirror:
            (probs,) = self._session.run(None, {"image": np.ascontiguousarray(batch)})
            return probs.astype(np.float32)
        both = np.concatenate([batch, batch[:, :, :, ::-1]])
        (probs,) = self._session.run(None, {"image": np.ascontiguousarray(both)})
        n = len(images)
        return ((probs[:n] + probs[n:]) / 2).astype(np.float32)


def calibrated(probs: np.ndarray, temperature: float) -> np.ndarray:
    """Temperature scaling of probabilities (Guo et al., ICML 2017): softmax(log p / T), row by row."""
    if temperature == 1.0:
        return probs
    logits = np.log(np.clip(probs, 1e-12, 1.0)) / temperature
    logits -= logits.max(axis=-1, keepdims=True)
    out = np.exp(logits)
    return (out / out.sum(axis=-1, keepdims=True)).astype(np.float32)


class OnnxTypeClassifier(SquareImageModel):
    card: TypeCard
    shares_cores = False  # its lesion-crop batch runs on the pipeline's chain once the side thread is done

    def __init__(self, card_path: Path, *, threads: int | None = None) -> None:
        super().__init__(card_path, TypeCard.read(card_path), threads=threads)

    def classify(self, crops: list[np.ndarray], *, mirror: bool = True) -> np.ndarray:
        """(n, 6) probabilities for RGB uint8 crops of any size; ``mirror`` averages
        each crop with its mirror image (twice the cost)."""
        if not crops:
            return np.zeros((0, len(self.card.labels)), np.float32)
        return calibrated(self.run_images(crops, mirror=mirror), self.card.temperature)

    def classify_photo(self, rgb: np.ndarray) -> np.ndarray:
        """(6,) probabilities for a whole close-up: the mean over the photo, its
        mirror, and (with the card's ``views`` 7) 80 % crops at the four corners and the centre."""
        return calibrated(self.photo_probabilities(rgb)[None], self.card.temperature)[0]

    def photo_probabilities(self, rgb: np.ndarray) -> np.ndarray:
        """(6,) the network's own mean over the card's views, before temperature scaling."""
        if self.card.views in (1, 2):
            return self.run_images([rgb], mirror=self.card.views == 2)[0]
        h, w = rgb.shape[:2]
        ch, cw = max(1, int(h * 0.8)), max(1, int(w * 0.8))
        corners = ((0, 0), (0, w - cw), (h - ch, 0), (h - ch, w - cw), ((h - ch) // 2, (w - cw) // 2))
        views = [rgb, np.ascontiguousarray(rgb[:, ::-1])] + [rgb[y : y + ch, x : x + cw] for y, x in corners]
        return self.run_images(views, mirror=False).mean(axis=0)

    def lesion_crops(self, rgb: np.ndarray, centers: np.ndarray, radii: np.ndarray,
                     ) -> tuple[list[np.ndarray], list[Untyped | None]]:
        """Square crops around lesions, and for each a reason when it is too small to judge."""
        h, w = rgb.shape[:2]
        crops: list[np.ndarray] = []
        reasons: list[Untyped | None] = []
        for (x, y), r in zip(centers, radii, strict=True):
            half = max(r * self.card.context, 4.0)
            if 2 * half < self.card.min_crop_px:
                crops.append(np.zeros((1, 1, 3), np.uint8))
                reasons.append(Untyped(UntypedCode.TOO_SMALL, f"too small to judge ({2 * r:.0f} px across; needs a "
                                                              f"crop of {self.card.min_crop_px} px)"))
                continue
            x0, x1 = int(max(0, x - half)), int(min(w, x + half))
            y0, y1 = int(max(0, y - half)), int(min(h, y + half))
            crops.append(rgb[y0:y1, x0:x1])
            reasons.append(None)
        return crops, reasons
