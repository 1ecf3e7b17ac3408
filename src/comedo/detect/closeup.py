"""The close-up lesion detector: rings and each ring's type in one pass, at a close-up's own scale.

An EfficientNet-Lite0 centre-heatmap detector (the package detector's heat and side-distance heads at stride 4)
with a third, per-cell head over the classes of its card's ``type_classes``: the six acne types, ``lookalike``
(milium, syringoma, flat wart, keloid, folliculitis: not acne) and ``not_lesion``. It was trained on close-ups
labelled lesion by lesion by eye (``comedo_train.train_closeups``), so unlike the face detector it needs no coarse
passes and no crop-by-crop typing.

What the network is fed is data of its card (``CloseupCard``): the photo is brought to ``input_long_side`` when
larger (the training photos' scale; smaller photos run at their own size), colour-corrected by Shades of Grey
(Finlayson & Trezzi, "Shades of grey and colour constancy", CIC 2004; Minkowski norm ``p``) and padded with black
at the bottom and right to a multiple of ``pad_multiple``. Decoding (``decode_closeup``) is plain numpy on the
network's outputs: heat peaks (``comedo.detect.decode.decode_centres``, centres at the heat's sub-cell summit),
typed by the most likely class at the peak's cell other than ``not_lesion``; a peak whose ``not_lesion``
probability exceeds the card's ``not_lesion_veto`` is no ring at all.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

from comedo.detect.decode import decode_centres
from comedo.lesions import Lesions
from comedo.nets.card import ModelCard
from comedo.nets.session import OnnxModel
from comedo.types import LesionType

__all__ = ["CloseupCard", "CloseupRings", "CloseupDetector", "shades_of_grey", "prepare_closeup",
           "decode_closeup", "rings_as_lesions", "get_closeup_detector"]

ACNE_TYPES = tuple(t.value for t in LesionType)
LOOKALIKE = "lookalike"
NOT_LESION = "not_lesion"
LOOKALIKE_SURE = 0.5  # a look-alike ring more likely a lesion than not (heat 0.5) before a photo "may not be acne"


@dataclass(frozen=True)
class CloseupCard(ModelCard):
    type_classes: tuple[str, ...] = (*ACNE_TYPES, LOOKALIKE, NOT_LESION)
    input_long_side: int = 288
    stride: int = 4
    pad_multiple: int = 32
    min_input_side: int = 64
    colour_constancy_p: float = 6.0
    colour_constancy_dark_below: int = 8
    operating_threshold: float = 0.3
    not_lesion_veto: float = 0.5
    lookalike_min_share: float = 0.5
    whole_frame_weight: float = 0.5
    photo_type_pooling: str = "linear"
    deep_likely: float | None = None  # the pooled answer's deep threshold (None: the type card's)

    @classmethod
    def settings(cls, inference: Mapping[str, Any]) -> dict[str, Any]:
        classes = tuple(str(c) for c in inference["type_classes"])
        if classes[: len(ACNE_TYPES)] != ACNE_TYPES or set(classes[len(ACNE_TYPES):]) != {LOOKALIKE, NOT_LESION}:
            raise ValueError(f"type_classes must be the six acne types in LesionType order, then {LOOKALIKE} and "
                             f"{NOT_LESION}; got {classes}")
        constancy = inference["colour_constancy"]
        return dict(type_classes=classes, input_long_side=int(inference["input_long_side"]),
                    stride=int(inference["stride"]), pad_multiple=int(inference["pad_multiple"]),
                    min_input_side=int(inference.get("min_input_side", 64)),
                    colour_constancy_p=float(constancy["p"]),
                    colour_constancy_dark_below=int(constancy.get("dark_below", 8)),
                    operating_threshold=float(inference["operating_threshold"]),
                    not_lesion_veto=float(inference["not_lesion_veto"]),
                    lookalike_min_share=float(inference.get("lookalike_min_share", 0.5)),
                    whole_frame_weight=float(inference.get("whole_frame_weight", 0.5)),
                    photo_type_pooling=str(inference.get("photo_type_pooling", "linear")),
                    deep_likely=None if inference.get("deep_likely") is None else float(inference["deep_likely"]))


def shades_of_grey(rgb: np.ndarray, *, p: float = 6.0, dark_below: int = 8) -> np.ndarray:
    """Shades of Grey colour constancy: each channel divided by its Minkowski ``p``-norm mean (the estimated
    illuminant), normalised so that a grey illuminant changes nothing. Pixels whose every channel is under
    ``dark_below`` (black padding) are left out of the estimate. (H, W, 3) uint8 RGB in, a new array the same out."""
    x = rgb.astype(np.float32)
    lit = x.max(axis=2) >= dark_below
    if not lit.any():
        return rgb.copy()
    px = x[lit] / 255.0
    illum = np.maximum(np.power(np.mean(np.power(px, p), axis=0), 1.0 / p), 1e-3)
    gain = np.linalg.norm(illum) / (np.sqrt(3.0) * illum)
    return np.clip(x * gain + 0.5, 0, 255).astype(np.uint8)


def prepare_closeup(rgb: np.ndarray, card: CloseupCard) -> tuple[np.ndarray, float, tuple[int, int]]:
    """The network's input for ``rgb`` (H, W, 3) uint8: (1, 3, H', W') float32 0..255, the factor from ``rgb``'s
    pixels to the input's (at most 1) and the photo's (height, width) inside the padded input."""
    h, w = rgb.shape[:2]
    factor = min(1.0, card.input_long_side / max(h, w))
    nh, nw = max(1, round(h * factor)), max(1, round(w * factor))
    resized = rgb if (nh, nw) == (h, w) else cv2.resize(rgb, (nw, nh), interpolation=cv2.INTER_AREA)
    m = card.pad_multiple
    ph, pw = max(card.min_input_side, -(-nh // m) * m), max(card.min_input_side, -(-nw // m) * m)
    canvas = np.zeros((ph, pw, 3), np.uint8)
    canvas[:nh, :nw] = shades_of_grey(resized, p=card.colour_constancy_p, dark_below=card.colour_constancy_dark_below)
    return np.ascontiguousarray(canvas.transpose(2, 0, 1)[None].astype(np.float32)), factor, (nh, nw)


def decode_closeup(heat: np.ndarray, size: np.ndarray, offset: np.ndarray, type_probs: np.ndarray, *,
                   stride: int, min_score: float, not_lesion: int, veto: float,
                   height: int | None = None, width: int | None = None
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rings from one photo's outputs: ``heat`` (h, w), ``size`` and ``offset`` (2, h, w), ``type_probs``
    (k, h, w), the class probabilities with ``not_lesion`` at index ``not_lesion``.

    Heat peaks scoring at least ``min_score`` (``decode_centres`` with the sub-cell summit), those whose centre
    lies outside ``height`` x ``width`` (the padding) dropped, and those whose cell's ``not_lesion`` probability
    exceeds ``veto``. Returns ``xyxy`` (n, 4) float32 in input pixels, ``score`` (n,) float32 by descending score
    and ``probs`` (n, k) float32, each ring's class probabilities at its peak's cell."""
    if type_probs.ndim != 3 or type_probs.shape[1:] != heat.shape:
        raise ValueError(f"type_probs must be (k, {heat.shape[0]}, {heat.shape[1]}), got {type_probs.shape}")
    if not 0 <= not_lesion < type_probs.shape[0]:
        raise ValueError(f"not_lesion must index one of the {type_probs.shape[0]} classes, got {not_lesion}")
    xyxy, score = decode_centres(heat, size, offset, stride=stride, min_score=min_score, refine_centre=True)
    gh, gw = heat.shape
    cx, cy = (xyxy[:, 0] + xyxy[:, 2]) / 2, (xyxy[:, 1] + xyxy[:, 3]) / 2
    col = np.clip(np.round(cx / stride - 0.5).astype(int), 0, gw - 1)
    row = np.clip(np.round(cy / stride - 0.5).astype(int), 0, gh - 1)
    probs = type_probs[:, row, col].T.astype(np.float32).reshape(len(score), type_probs.shape[0])
    keep = probs[:, not_lesion] <= veto
    if width is not None:
        keep &= cx < width
    if height is not None:
        keep &= cy < height
    return xyxy[keep], score[keep], probs[keep]


@dataclass(frozen=True)
class CloseupRings:
    """What the close-up detector saw: ``lesions`` (its acne rings, typed, in the photo's pixels) and
    ``lookalikes`` (rings most likely a look-alike of acne, untyped: they are not acne)."""

    lesions: Lesions
    lookalikes: Lesions

    @property
    def lookalike_share(self) -> float:
        """The look-alike rings' share of all rings (0 with none, or where no look-alike ring is more likely a
        lesion than not: its heat under ``LOOKALIKE_SURE``). "May not be acne" changes the whole advice; one faint
        ring on plain skin (0.35-0.41 on a clear cheek) must not say it."""
        n = len(self.lesions) + len(self.lookalikes)
        if not n or not len(self.lookalikes) or float(np.max(self.lookalikes.score)) < LOOKALIKE_SURE:
            return 0.0
        return len(self.lookalikes) / n


def rings_as_lesions(xyxy: np.ndarray, score: np.ndarray, probs: np.ndarray, card: CloseupCard) -> CloseupRings:
    """Decoded rings as ``Lesions``: each typed by its most likely class other than ``not_lesion``; acne rings
    carry ``type_scores`` over the six types (renormalised over them), look-alike rings go to ``lookalikes``."""
    classes = card.type_classes
    acne = [classes.index(t) for t in ACNE_TYPES]
    kept = [i for i, c in enumerate(classes) if c != NOT_LESION]
    best = np.array([kept[int(j)] for j in np.argmax(probs[:, kept], axis=1)], int) if len(probs) else \
        np.zeros(0, int)
    is_lookalike = best == classes.index(LOOKALIKE)
    six = probs[:, acne]
    six = six / np.maximum(six.sum(axis=1, keepdims=True), 1e-6)
    labels = np.array([classes[b] for b in best], object)
    lesions = Lesions(xyxy[~is_lookalike], score[~is_lookalike]).with_types(
        labels[~is_lookalike], six[~is_lookalike].astype(np.float32))
    lookalikes = Lesions(xyxy[is_lookalike], score[is_lookalike])
    return CloseupRings(lesions, lookalikes)


class CloseupDetector(OnnxModel):
    """The close-up detector described by a ``CloseupCard`` (ONNX Runtime)."""

    def __init__(self, card_path: Any, *, threads: int | None = None) -> None:
        super().__init__(card_path, CloseupCard.read(card_path), threads=threads)
        self.name = self.card.name
        self.default_min_score = self.card.operating_threshold

    def outputs(self, rgb: np.ndarray) -> tuple[tuple[np.ndarray, ...], float, tuple[int, int]]:
        """The network's (heat, size, offset, type_probs) for ``rgb``, the input factor and the photo's size in
        the input."""
        x, factor, inside = prepare_closeup(rgb, self.card)
        return tuple(self._session.run(None, {"image": x})), factor, inside

    def detect(self, rgb: np.ndarray, *, min_score: float | None = None) -> CloseupRings:
        """Rings scoring at least ``min_score`` (default: the card's operating threshold) in ``rgb``'s pixels."""
        threshold = self.card.operating_threshold if min_score is None else float(min_score)
        (heat, size, offset, probs), factor, (nh, nw) = self.outputs(rgb)
        xyxy, score, p = decode_closeup(heat[0, 0], size[0], offset[0], probs[0], stride=self.card.stride,
                                        min_score=threshold, not_lesion=self.card.type_classes.index(NOT_LESION),
                                        veto=self.card.not_lesion_veto, height=nh, width=nw)
        return rings_as_lesions((xyxy / factor).astype(np.float32), score, p, self.card)


_DETECTOR: list[CloseupDetector | None] = []


def get_closeup_detector() -> CloseupDetector | None:
    """The shipped close-up detector (built once), or None in a build without ``closeup_detector``."""
    if not _DETECTOR:
        from comedo.nets.registry import card_path, installed

        _DETECTOR.append(CloseupDetector(card_path("closeup_detector")) if installed("closeup_detector") else None)
    return _DETECTOR[0]
