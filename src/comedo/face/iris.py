"""The photo's scale from the iris: ``iris_scale(rgb, mesh) -> (Scale | None, reason)``.

The visible iris (the cornea's white-to-white diameter) is nearly the same size in adults: 11.71 +- 0.42 mm (mean
+- SD, 390 eyes; Rüfer, Schröder & Erb, Cornea 24:259-261, 2005); MediaPipe Iris uses 11.7 mm for the same reason
(Ablavatski et al., "Real-time pupil tracking from monocular video for digital puppetry", arXiv:2006.11341, 2020).
MediaPipe's iris network (converted to ONNX, ``iris_landmark``) places the iris centre and four edge points in a
64 px crop of each eye the face mesh found (2.3 times the eye-corner distance, corners level; MediaPipe's recipe);
the diameter is the mean of the horizontal and vertical edge distances.

A scale is given only where it can be trusted: both eyes inside the frame (0.8 eye widths around the eye's
centre) and open (lid gap at least
``MIN_OPEN`` of the eye's width, from the mesh), each iris round (vertical over horizontal diameter within
``ROUND``: a turned head or a photo stretched out of proportion, which the pixels cannot tell apart, makes it an
ellipse), the two irises agreeing within ``AGREE``, and the distance between the iris centres, in millimetres, an
adult's interpupillary distance (54-74 mm; mean about 63 mm, SD about 3.5 mm: Dodgson, Proc SPIE 5291:36-46, 2004).
Irises under ``MIN_IRIS_PX`` across are too few pixels to measure. Its uncertainty (one SD) combines the
population's spread (3.6 %), the two eyes' disagreement, reading the edges (``EDGE_PX`` over the two eyes'
mean), and
``DEPTH_PCT`` for a lesion lying nearer to or farther from the camera than the eyes (about 2 cm of facial relief at
a selfie's 30-40 cm; our choice). Iris crops are biometric: they live in memory for one network call, never stored.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from comedo.face.mesh import FaceMesh
from comedo.nets.card import ModelCard
from comedo.nets.registry import card_path, installed
from comedo.nets.session import OnnxModel

__all__ = ["IrisScale", "iris_scale", "iris_decision", "iris_models", "IRIS_MM", "IRIS_SD_MM"]

IRIS_MM, IRIS_SD_MM = 11.71, 0.42  # Rüfer et al. 2005
IPD_MM = (54.0, 74.0)  # adult interpupillary distances (Dodgson 2004)
EYES = ((33, 133, 159, 145, False), (362, 263, 386, 374, True))  # corners, upper and lower lid, mirrored
MIN_OPEN = 0.15  # lid gap over corner distance: under it the eye is closed or nearly so
ROUND = 0.85  # the shorter iris diameter over the longer
AGREE = 0.15  # the two irises' diameters may differ by this share of their mean
FRAME_MARGIN = 0.8  # the eye's centre this many eye widths from the frame (the crop beyond it is padded)
DEPTH_PCT = 5.0
# Reading an iris's two edges to about half a pixel each leaves its diameter uncertain by about 0.7 px (an AI
# reader's repeatability on 15 eyes of about 20 px was 3.3 %, i.e. 0.66 px; data/iris_by_eye), 0.5 px for the two
# eyes' mean; under MIN_IRIS_PX that alone exceeds 5 %, so smaller irises give no scale (first principles, not
# fitted: 0.5 / 0.05 = 10). On faces-wild clean it refuses the 5-10 px irises of its 300 px photos.
EDGE_PX = 0.7
MIN_IRIS_PX = 10.0


@dataclass(frozen=True)
class IrisScale:
    """Millimetres per pixel from the irises, one SD in per cent, and the measurements (the pipeline makes it a
    ``Scale`` with source ``iris``; the face stage does not import the measuring stages)."""

    mm_per_px: float
    uncertainty_pct: float
    evidence: dict[str, object]


@dataclass(frozen=True)
class IrisCard(ModelCard):
    input_size: int
    roi_scale: float

    @classmethod
    def settings(cls, inference: dict[str, Any]) -> dict[str, Any]:  # type: ignore[override]
        return {"input_size": int(inference["input_size"]), "roi_scale": float(inference["roi_scale"])}


class IrisModel(OnnxModel):
    card: IrisCard

    def __init__(self, path: Path) -> None:
        super().__init__(path, IrisCard.read(path))

    def iris(self, rgb: np.ndarray, corner_a: np.ndarray, corner_b: np.ndarray, mirrored: bool) -> np.ndarray:
        """(5, 2) iris points (centre, left, top, right, bottom of the crop) in photo pixels."""
        size = self.card.input_size
        angle = math.atan2(float(corner_b[1] - corner_a[1]), float(corner_b[0] - corner_a[0]))
        side = self.card.roi_scale * float(np.hypot(*(corner_b - corner_a)))
        k = size / max(side, 1.0)
        c, s = math.cos(angle) * k, math.sin(angle) * k
        a = np.array([[c, s], [-s, c]])
        if mirrored:
            a = np.array([[-1.0, 0.0], [0.0, 1.0]]) @ a
        b = size / 2 - a @ ((corner_a + corner_b) / 2)
        crop = cv2.warpAffine(rgb, np.hstack([a, b[:, None]]), (size, size), flags=cv2.INTER_LINEAR,
                              borderMode=cv2.BORDER_CONSTANT)
        x = (crop.astype(np.float32) / 255.0).transpose(2, 0, 1)[None]
        del crop  # the crop is biometric: nothing keeps it
        _, iris = self._session.run(None, {"input_1": np.ascontiguousarray(x)})
        points = iris.reshape(5, 3)[:, :2].astype(np.float64)
        return (points - b) @ np.linalg.inv(a).T


@lru_cache(maxsize=1)
def _model() -> IrisModel | None:
    return IrisModel(card_path("iris_landmark")) if installed("iris_landmark") else None


def iris_models() -> dict[str, dict[str, str]]:
    """The iris network's identity (name, sha256), for an analysis's provenance."""
    model = _model()
    return {} if model is None else {"iris_landmark": model.identity}


def iris_scale(rgb: np.ndarray, mesh: FaceMesh) -> tuple[IrisScale | None, str]:
    """The scale of ``rgb`` from the irises of the face ``mesh`` (landmarks in ``rgb``'s pixels), or None and why."""
    model = _model()
    if model is None:
        return None, "no iris network installed"
    h, w = rgb.shape[:2]
    pts = mesh.points[:, :2].astype(np.float64)
    irises = []
    for a, b, top, bottom, mirrored in EYES:
        width = float(np.hypot(*(pts[b] - pts[a])))
        centre, half = (pts[a] + pts[b]) / 2, width * FRAME_MARGIN
        if width < 8 or np.any(centre - half < 0) or centre[0] + half > w - 1 or centre[1] + half > h - 1:
            return None, "an eye is cut by the frame or too small"
        if float(np.hypot(*(pts[bottom] - pts[top]))) < MIN_OPEN * width:
            return None, "an eye is closed"
        irises.append(model.iris(rgb, pts[a], pts[b], mirrored))
    return iris_decision(irises[0], irises[1])


def iris_decision(first: np.ndarray, second: np.ndarray) -> tuple[IrisScale | None, str]:
    """The scale from two eyes' (5, 2) iris points (centre, left, top, right, bottom), or None and why."""
    diameters, roundness = [], []
    for p in (first, second):
        across, down = float(np.hypot(*(p[3] - p[1]))), float(np.hypot(*(p[4] - p[2])))
        diameters.append((across + down) / 2)
        roundness.append(min(across, down) / max(across, down, 1e-9))
    if min(roundness) < ROUND:
        return None, (f"an iris is not round ({min(roundness):.2f}): a turned head or a photo stretched out of "
                      "proportion")
    mean = float(np.mean(diameters))
    if mean < MIN_IRIS_PX:
        return None, (f"the irises are {mean:.0f} px across, too small to measure to 5 % (at least "
                      f"{MIN_IRIS_PX:.0f} px: a closer or sharper photo)")
    gap = abs(diameters[0] - diameters[1]) / mean
    if gap > AGREE:
        return None, f"the two irises differ by {100 * gap:.0f} %: a turned head or a stretched photo"
    mm_per_px = IRIS_MM / mean
    ipd = float(np.hypot(*(first[0] - second[0]))) * mm_per_px
    if not IPD_MM[0] <= ipd <= IPD_MM[1]:
        return None, f"the iris centres are {ipd:.0f} mm apart at this scale, not an adult's 54-74 mm"
    unc = math.sqrt((100 * IRIS_SD_MM / IRIS_MM) ** 2 + (100 * gap / 2) ** 2 + DEPTH_PCT ** 2
                    + (100 * EDGE_PX / mean / math.sqrt(2)) ** 2)
    evidence: dict[str, object] = {
        "iris_diameter_px": round(mean, 2),
        "iris_diameters_px": [round(d, 2) for d in diameters],
        "roundness": [round(r, 3) for r in roundness],
        "interpupillary_mm": round(ipd, 1),
        "iris_mm": IRIS_MM,
    }
    return IrisScale(mm_per_px, round(unc, 2), evidence), f"two irises {mean:.1f} px across"
