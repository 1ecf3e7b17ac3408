"""The learned lesion detector, run with ONNX Runtime (sessions are built in ``comedo.nets.session``).

A model is an ``.onnx`` file plus a card (``.card.json``) that says how to feed
it: input long side, stride, operating threshold, scales, sha256. The file's
hash is checked before the session is built, so a corrupt or swapped model is
a clear ``ModelError``, never silent nonsense.

Scale: the network saw faces at 640 px (lesions ~20-100 px). A photo is
resized so its long side is ``input_long_side``; on a close-up (the scene
stage decides), where a lesion can fill much of the frame, it also runs at the
coarser ``extra_scales``, keeping a coarse-scale box only when it is bigger
than ``min_box_at_extra_scale_px`` at the base scale and overlaps no box kept
so far (base-scale boxes are never suppressed against each other).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from comedo.detect.base import Candidates
from comedo.detect.decode import box_iou, decode_centres
from comedo.detect.rescore import CandidateRescorer
from comedo.grade.model import CountGradeModel
from comedo.grade.scales import HAYASHI_UPPER
from comedo.lesions import Lesions
from comedo.measure.colour import ColourPlanes
from comedo.nets.card import ModelCard
from comedo.nets.session import OnnxModel

__all__ = ["DetectorCard", "OnnxDetector", "keep_on_skin", "heat_mass", "near"]


@dataclass(frozen=True)
class DetectorCard(ModelCard):
    input_long_side: int = 1024
    stride: int = 4
    operating_threshold: float = 0.3
    extra_scales: tuple[float, ...] = ()
    min_box_at_extra_scale_px: float = 1e9
    pad_multiple: int = 32
    flip_tta: bool = False
    refine_centre: bool = False
    hayashi_upper: tuple[int, int, int] = HAYASHI_UPPER
    grade_model: CountGradeModel | None = None
    rescorer: CandidateRescorer | None = None
    gags_full_score: float | None = None  # GAGS counts a zone fully from here (comedo.grade.gags); None: always

    @classmethod
    def settings(cls, inference: Mapping[str, Any]) -> dict[str, Any]:
        return dict(
            input_long_side=int(inference["input_long_side"]),
            stride=int(inference["stride"]),
            operating_threshold=float(inference["operating_threshold"]),
            extra_scales=tuple(float(s) for s in inference.get("extra_scales", ())),
            min_box_at_extra_scale_px=float(inference.get("min_box_at_extra_scale_px", 1e9)),
            pad_multiple=int(inference.get("pad_multiple", 32)),
            flip_tta=bool(inference.get("flip_tta", False)),
            refine_centre=bool(inference.get("refine_centre", False)),
            hayashi_upper=tuple(int(v) for v in inference.get("hayashi_upper", HAYASHI_UPPER)),
            grade_model=CountGradeModel.from_dict(inference["grade_model"]) if "grade_model" in inference else None,
            rescorer=CandidateRescorer.from_dict(inference["rescorer"]) if "rescorer" in inference else None,
            gags_full_score=float(inference["gags_full_score"]) if "gags_full_score" in inference else None,
        )


class OnnxDetector(OnnxModel):
    """ONNX Runtime CenterNet-style detector described by a ``DetectorCard``."""

    def __init__(self, card_path: Path, *, threads: int | None = None) -> None:
        super().__init__(card_path, DetectorCard.read(card_path), threads=threads)
        self.name = self.card.name
        self.default_min_score = self.card.operating_threshold
        self.hayashi_upper = self.card.hayashi_upper
        self.grade_model = self.card.grade_model
        self._bare_sessions: dict[int, Any] = {}  # forward_ms's sessions, by thread count

    def _run(self, rgb: np.ndarray, long_side: int, min_score: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Detections at one scale, in ``rgb`` pixel coordinates, and the heatmap over the photo (padding cut)."""
        h, w = rgb.shape[:2]
        factor = long_side / max(h, w)
        nh, nw = max(1, round(h * factor)), max(1, round(w * factor))
        interp = cv2.INTER_AREA if factor < 1 else cv2.INTER_LINEAR
        resized = cv2.resize(rgb, (nw, nh), interpolation=interp) if (nh, nw) != (h, w) else rgb
        m = self.card.pad_multiple
        ph, pw = -(-nh // m) * m, -(-nw // m) * m
        canvas = np.zeros((ph, pw, 3), np.float32)
        canvas[:nh, :nw] = resized
        # Pad with the edge colour so padding does not look like a dark lesion.
        if ph > nh:
            canvas[nh:, :nw] = resized[-1:, :, :]
        if pw > nw:
            canvas[:, nw:] = canvas[:, nw - 1 : nw]
        x = canvas.transpose(2, 0, 1)[None]
        if self.card.flip_tta:
            # Average the prediction with that of the mirrored image (test-time augmentation).
            both = np.concatenate([x, x[:, :, :, ::-1]])
            heat, size, offset = self._session.run(None, {"image": np.ascontiguousarray(both)})
            heat = (heat[:1] + heat[1:, :, :, ::-1]) / 2
            size = (size[:1] + size[1:, :, :, ::-1]) / 2
            # A centre at (col + o) in the mirror is at (col + 1 - o) here.
            mirrored = offset[1:, :, :, ::-1].copy()
            mirrored[:, 0] = 1.0 - mirrored[:, 0]
            offset = (offset[:1] + mirrored) / 2
        else:
            heat, size, offset = self._session.run(None, {"image": x})
        xyxy, score = decode_centres(heat[0, 0], size[0], offset[0], stride=self.card.stride, min_score=min_score,
                                     refine_centre=self.card.refine_centre)
        inside = ((xyxy[:, 0] + xyxy[:, 2]) / 2 < nw) & ((xyxy[:, 1] + xyxy[:, 3]) / 2 < nh)
        stride = self.card.stride
        return xyxy[inside] / factor, score[inside], heat[0, 0, : -(-nh // stride), : -(-nw // stride)]

    def forward_ms(self, rgb: np.ndarray, *, threads: int | None = None) -> float:
        """Milliseconds of the network's forward pass alone, on the input it gets for ``rgb`` at its base scale
        (resized and padded as ``detect`` does): the floor ``comedo benchmark`` compares the pipeline with.
        ``threads``: on a session of its own with that many threads (the pipeline's session takes half the
        cores, since it shares them with the side thread; the bare pass alone may take them all)."""
        import time

        from comedo.nets.session import verified_session

        h, w = rgb.shape[:2]
        factor = self.card.input_long_side / max(h, w)
        m = self.card.pad_multiple
        nh, nw = -(-max(1, round(h * factor)) // m) * m, -(-max(1, round(w * factor)) // m) * m
        x = np.zeros((2 if self.card.flip_tta else 1, 3, nh, nw), np.float32)
        session = self._session
        if threads is not None:
            if threads not in self._bare_sessions:
                self._bare_sessions[threads] = verified_session(self.card_path.parent / self.card.file,
                                                                self.card.sha256, threads=threads)
            session = self._bare_sessions[threads]
        start = time.perf_counter()
        session.run(None, {"image": x})
        return (time.perf_counter() - start) * 1000

    def coarse_passes(self, rgb: np.ndarray, *, min_score: float) -> tuple[np.ndarray, np.ndarray]:
        """The large lesions of a close-up: the boxes (in ``rgb``'s pixels) and scores that the card's coarser
        passes (``extra_scales``) find, each at least ``min_box_at_extra_scale_px`` at the base scale. They need
        nothing from the base pass, so ``comedo.pipeline`` runs them beside it (``detect(..., coarse=)``)."""
        base = self.card.input_long_side
        factor = base / max(rgb.shape[:2])
        extra_boxes, extra_scores = [np.zeros((0, 4), np.float32)], [np.zeros(0, np.float32)]
        for scale in self.card.extra_scales:
            b, s, _ = self._run(rgb, max(32, int(round(base * scale))), min_score)
            side = np.maximum(b[:, 2] - b[:, 0], b[:, 3] - b[:, 1]) * factor  # in base-scale pixels
            keep = side >= self.card.min_box_at_extra_scale_px
            extra_boxes.append(b[keep])
            extra_scores.append(s[keep])
        return np.concatenate(extra_boxes), np.concatenate(extra_scores)

    def detect(self, rgb: np.ndarray, planes: ColourPlanes, skin: np.ndarray, *, min_score: float,
               close_up: bool = False, coarse: Callable[[], tuple[np.ndarray, np.ndarray]] | None = None,
               ) -> Candidates:
        """Lesions scoring at least ``min_score`` and the heat mass on skin at the base scale. On a wider view
        with a rescorer in the card, the scores are the rescorer's (``comedo.detect.rescore``), computed from
        every candidate down to its floor. On a close-up the coarser passes' lesions join those of the base pass
        where they overlap none: ``coarse()`` gives them when the caller runs ``coarse_passes(rgb,
        min_score=min_score)`` beside the base pass (it is called after it), else they are run here."""
        rescorer = None if close_up else self.card.rescorer
        base = self.card.input_long_side
        floor = min(min_score, rescorer.min_score) if rescorer else min_score
        boxes, scores, heat = self._run(rgb, base, floor)
        factor = base / max(rgb.shape[:2])
        if close_up:
            extra_boxes, extra_scores = coarse() if coarse is not None else self.coarse_passes(rgb,
                                                                                              min_score=min_score)
            boxes, scores = _add_unless_overlapping(boxes, scores, extra_boxes, extra_scores, 0.3)
        near_skin = near(skin)
        # The rescorer keeps the raw score it counts as confident; the card's threshold is for its scores.
        keep, mask_holds = keep_on_skin(boxes, scores, near_skin,
                                        rescorer.confident if rescorer else self.card.operating_threshold)
        mass = heat_mass(heat, near_skin if mask_holds else None, self.card.stride / factor)
        boxes, scores = boxes[keep], scores[keep]
        if rescorer is not None and len(boxes):
            scores = rescorer.rescore(boxes * factor, scores)
            order = np.argsort(-scores, kind="stable")
            keep = order[scores[order] >= min_score]
            boxes, scores = boxes[keep], scores[keep]
        return Candidates(Lesions(boxes.astype(np.float32), scores.astype(np.float32)), mass)


HEAT_MASS_FLOOR = 0.05  # heatmap cells below this are background noise, not lesions


def heat_mass(heat: np.ndarray, near_skin: np.ndarray | None, cell_px: float) -> float:
    """The sum of ``heat`` over cells scoring at least ``HEAT_MASS_FLOOR`` whose centre lies on ``near_skin``
    (the photo's grid; a cell spans ``cell_px`` of its pixels), or over every cell when the mask is None."""
    strong = heat >= HEAT_MASS_FLOOR
    if near_skin is not None:
        rows = np.clip(((np.arange(heat.shape[0]) + 0.5) * cell_px).astype(int), 0, near_skin.shape[0] - 1)
        cols = np.clip(((np.arange(heat.shape[1]) + 0.5) * cell_px).astype(int), 0, near_skin.shape[1] - 1)
        strong &= near_skin[np.ix_(rows, cols)]
    return float(heat[strong].sum())


def near(skin: np.ndarray) -> np.ndarray:
    """The skin mask dilated by 4 px: a lesion at the mask's edge is still on skin."""
    return cv2.dilate(skin.astype(np.uint8), np.ones((9, 9), np.uint8)) > 0


def centred_on(boxes: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """(n,) whether each box's centre lies on ``mask``."""
    cx = np.clip(((boxes[:, 0] + boxes[:, 2]) / 2).astype(int), 0, mask.shape[1] - 1)
    cy = np.clip(((boxes[:, 1] + boxes[:, 3]) / 2).astype(int), 0, mask.shape[0] - 1)
    return mask[cy, cx]


def skin_mask_holds(on_skin: np.ndarray, scores: np.ndarray, confident: float) -> bool:
    """False when the skin mask itself looks wrong: a third or more of the detections scoring at least
    ``confident`` (and at least three) fall off it, as on desaturated or colour-cast photos where the colour
    model misses skin. The detector, trained on faces, is then more likely right than the mask."""
    sure = scores >= confident
    return not (sure.sum() >= 3 and (~on_skin[sure]).mean() >= 1 / 3)


def keep_on_skin(boxes: np.ndarray, scores: np.ndarray, near_skin: np.ndarray,
                 confident: float) -> tuple[np.ndarray, bool]:
    """Which detections to keep: those centred on ``near_skin`` (``near``: off-skin detections are background,
    hair or clothes), or all of them when the mask looks wrong; and whether the mask holds (``skin_mask_holds``)."""
    on = centred_on(boxes, near_skin)
    holds = skin_mask_holds(on, scores, confident)
    return (on if holds else np.ones(len(boxes), bool)), holds


def _add_unless_overlapping(boxes: np.ndarray, scores: np.ndarray, extra: np.ndarray, extra_scores: np.ndarray,
                            iou_threshold: float) -> tuple[np.ndarray, np.ndarray]:
    """The base-scale boxes, plus each coarse-scale box (best first) that overlaps none kept so far.

    Base-scale boxes are never suppressed against each other: the heatmap's peak
    test already separates them, and box NMS would merge neighbours in dense clusters.
    """
    if len(extra) == 0:
        return boxes, scores
    kept_boxes, kept_scores = list(boxes), list(scores)
    for i in np.argsort(-extra_scores, kind="stable"):
        if not kept_boxes or box_iou(extra[i : i + 1], np.stack(kept_boxes)).max() < iou_threshold:
            kept_boxes.append(extra[i])
            kept_scores.append(extra_scores[i])
    order = np.argsort(-np.asarray(kept_scores), kind="stable")
    return np.stack(kept_boxes)[order].astype(np.float32), np.asarray(kept_scores, np.float32)[order]
