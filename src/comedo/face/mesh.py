"""Face landmarks: MediaPipe's BlazeFace finds the face, its 468-point face mesh places the landmarks.

Both networks are Google's (Apache-2.0), converted once to ONNX (``comedo_train.convert_face_mesh``) so ONNX Runtime
stays the one inference runtime. The detector sees the photo letterboxed to 128 px; the mesh sees a 192 px crop of
1.5 times the detector's box, rotated so the eyes are level (MediaPipe's own recipe), and its points are mapped back
to the photo through the inverse of that crop's affine transform.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from comedo.nets.card import ModelCard
from comedo.nets.registry import card_path, installed
from comedo.nets.session import OnnxModel

__all__ = ["FaceMesh", "find_face", "face_models", "mesh_available"]


@dataclass(frozen=True)
class FaceMesh:
    """One face's 468 landmarks in the pixels of the photo it was found on (``points``: x, y and a relative depth
    in the same pixel scale), with the detector's confidence and the mesh's face-presence score."""

    points: np.ndarray  # (468, 3) float32
    detection_score: float
    presence: float


@dataclass(frozen=True)
class FaceDetectorCard(ModelCard):
    input_size: int
    strides: tuple[int, ...]
    per_cell: tuple[int, ...]
    min_score: float

    @classmethod
    def settings(cls, inference: dict[str, Any]) -> dict[str, Any]:  # type: ignore[override]
        anchors = inference["anchors"]
        return {"input_size": int(inference["input_size"]), "strides": tuple(anchors["strides"]),
                "per_cell": tuple(anchors["per_cell"]), "min_score": float(inference["min_score"])}


@dataclass(frozen=True)
class MeshCard(ModelCard):
    input_size: int
    crop_scale: float
    min_presence: float

    @classmethod
    def settings(cls, inference: dict[str, Any]) -> dict[str, Any]:  # type: ignore[override]
        return {"input_size": int(inference["input_size"]), "crop_scale": float(inference["crop_scale"]),
                "min_presence": float(inference["min_presence"])}


def _anchors(card: FaceDetectorCard) -> np.ndarray:
    """(n, 2) anchor centres in 0..1, in the network's output order (one block per distinct stride)."""
    centres = []
    for stride, per_cell in zip(dict.fromkeys(card.strides), card.per_cell, strict=True):
        cells = card.input_size // stride
        ys, xs = np.mgrid[0:cells, 0:cells]
        grid = np.stack([(xs + 0.5) / cells, (ys + 0.5) / cells], axis=-1).reshape(-1, 1, 2)
        centres.append(np.repeat(grid, per_cell, axis=1).reshape(-1, 2))
    return np.concatenate(centres).astype(np.float32)


class FaceDetector(OnnxModel):
    card: FaceDetectorCard

    def __init__(self, path: Path) -> None:
        super().__init__(path, FaceDetectorCard.read(path))
        self.anchors = _anchors(self.card)

    def detect(self, rgb: np.ndarray) -> tuple[np.ndarray, float] | None:
        """The most confident face: (8, 2) array of box corners (x0, y0), (x1, y1) and six key points, in photo
        pixels, and its score; None when no face reaches the card's ``min_score``."""
        size = self.card.input_size
        h, w = rgb.shape[:2]
        scale = size / max(h, w)
        nw, nh = max(1, round(w * scale)), max(1, round(h * scale))
        square = np.zeros((size, size, 3), np.float32)
        px, py = (size - nw) // 2, (size - nh) // 2
        square[py : py + nh, px : px + nw] = cv2.resize(rgb, (nw, nh), interpolation=cv2.INTER_AREA)
        x = (square / 127.5 - 1.0).transpose(2, 0, 1)[None]
        boxes, logits = self._session.run(None, {"input": np.ascontiguousarray(x)})
        scores = 1.0 / (1.0 + np.exp(-np.clip(logits[0, :, 0], -80, 80)))
        keep = np.flatnonzero(scores >= self.card.min_score)
        if len(keep) == 0:
            return None
        raw = boxes[0, keep].reshape(-1, 8, 2) / size
        raw[:, 0] += self.anchors[keep]
        raw[:, 2:] += self.anchors[keep][:, None]
        centre, half = raw[:, 0].copy(), raw[:, 1] / 2
        raw[:, 0], raw[:, 1] = centre - half, centre + half
        best = int(np.argmax(scores[keep]))
        overlap = _iou(raw[:, :2].reshape(-1, 4), raw[best, :2].reshape(4)) > 0.3
        weights = scores[keep][overlap]
        merged = (raw[overlap] * weights[:, None, None]).sum(axis=0) / weights.sum()  # MediaPipe's weighted NMS
        points = (merged * size - np.array([px, py], np.float32)) / scale
        return points.astype(np.float32), float(scores[keep][best])


class MeshModel(OnnxModel):
    card: MeshCard

    def __init__(self, path: Path) -> None:
        super().__init__(path, MeshCard.read(path))

    def landmarks(self, rgb: np.ndarray, detection: np.ndarray) -> tuple[np.ndarray, float]:
        """(468, 3) landmarks in photo pixels and the face-presence probability, from the detector's output."""
        size = self.card.input_size
        (x0, y0), (x1, y1) = detection[0], detection[1]
        eye_a, eye_b = detection[2], detection[3]
        angle = math.atan2(float(eye_b[1] - eye_a[1]), float(eye_b[0] - eye_a[0]))
        side = self.card.crop_scale * max(float(x1 - x0), float(y1 - y0))
        k = size / max(side, 1.0)
        c, s = math.cos(angle) * k, math.sin(angle) * k
        centre = np.array([(x0 + x1) / 2, (y0 + y1) / 2], np.float64)
        a = np.array([[c, s], [-s, c]])
        b = size / 2 - a @ centre
        crop = cv2.warpAffine(rgb, np.hstack([a, b[:, None]]), (size, size), flags=cv2.INTER_LINEAR,
                              borderMode=cv2.BORDER_CONSTANT)
        x = (crop.astype(np.float32) / 255.0).transpose(2, 0, 1)[None]
        raw, presence = self._session.run(None, {"input_1": np.ascontiguousarray(x)})
        points = raw.reshape(-1, 3).astype(np.float64)
        xy = (points[:, :2] - b) @ np.linalg.inv(a).T
        z = points[:, 2:3] / k
        prob = 1.0 / (1.0 + math.exp(-float(np.clip(presence.reshape(-1)[-1], -80, 80))))
        return np.hstack([xy, z]).astype(np.float32), prob


def _iou(boxes: np.ndarray, box: np.ndarray) -> np.ndarray:
    ix = np.clip(np.minimum(boxes[:, 2], box[2]) - np.maximum(boxes[:, 0], box[0]), 0, None)
    iy = np.clip(np.minimum(boxes[:, 3], box[3]) - np.maximum(boxes[:, 1], box[1]), 0, None)
    inter = ix * iy
    area = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    return inter / np.maximum(area + (box[2] - box[0]) * (box[3] - box[1]) - inter, 1e-9)


@lru_cache(maxsize=1)
def _models() -> tuple[FaceDetector, MeshModel] | None:
    if not mesh_available():
        return None
    return FaceDetector(card_path("face_detector")), MeshModel(card_path("face_mesh"))


def mesh_available() -> bool:
    return installed("face_detector") and installed("face_mesh")


def face_models() -> dict[str, dict[str, str]]:
    """The identities (name, sha256) of the face networks, for an analysis's provenance."""
    models = _models()
    return {} if models is None else {"face_detector": models[0].identity, "face_mesh": models[1].identity}


def find_face(rgb: np.ndarray) -> FaceMesh | None:
    """The most confident face's mesh in an RGB photo, or None (no face, or the mesh says none is there)."""
    models = _models()
    if models is None:
        return None
    detector, mesh = models
    found = detector.detect(rgb)
    if found is None:
        return None
    detection, score = found
    points, presence = mesh.landmarks(rgb, detection)
    if presence < mesh.card.min_presence:
        return None
    return FaceMesh(points, score, presence)
