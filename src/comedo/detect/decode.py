"""Turn a centre-heatmap detector's raw outputs into boxes.

Pure numpy + OpenCV so the same code serves inference (ONNX Runtime) and
validation during training (PyTorch), and the two can never disagree.

The network (CenterNet-style, Zhou et al., "Objects as Points", 2019) outputs
at stride ``s``:

* ``heat``   (H, W) float32 in [0, 1]: probability that a lesion centre is here;
* ``size``   (2, H, W) float32: box width and height in *input* pixels;
* ``offset`` (2, H, W) float32: sub-cell position of the centre, in cells.
"""

from __future__ import annotations

import cv2
import numpy as np

__all__ = ["decode_centres", "box_iou"]


def decode_centres(
    heat: np.ndarray,
    size: np.ndarray,
    offset: np.ndarray,
    *,
    stride: int,
    min_score: float,
    max_detections: int = 500,
    refine_centre: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Peaks of ``heat`` above ``min_score`` as boxes.

    Returns ``(xyxy, score)``: ``xyxy`` (n, 4) float32 in input pixels and
    ``score`` (n,) float32, sorted by descending score. A 3x3 local-maximum
    test replaces box NMS, as in CenterNet.

    ``refine_centre`` places each box's centre at the sub-cell summit of the
    heatmap (a parabola through the log-heat of the peak and its neighbours,
    per axis) instead of at ``cell + offset``; it measured better on ACNE04,
    whose noisy box labels leave a learned offset little to learn.
    """
    if heat.ndim != 2:
        raise ValueError(f"heat must be (H, W), got shape {heat.shape}")
    heat = np.ascontiguousarray(heat, dtype=np.float32)
    peaks = cv2.dilate(heat, np.ones((3, 3), np.uint8))
    keep = (heat >= peaks) & (heat >= min_score)
    rows, cols = np.nonzero(keep)
    if rows.size == 0:
        return np.zeros((0, 4), np.float32), np.zeros((0,), np.float32)
    score = heat[rows, cols]
    order = np.argsort(-score, kind="stable")[:max_detections]
    rows, cols, score = rows[order], cols[order], score[order]
    if refine_centre:
        dx, dy = _summit(heat, rows, cols)
        cx, cy = (cols + 0.5 + dx) * stride, (rows + 0.5 + dy) * stride
    else:
        cx = (cols + offset[0, rows, cols]) * stride
        cy = (rows + offset[1, rows, cols]) * stride
    w = np.maximum(size[0, rows, cols], 1.0)
    h = np.maximum(size[1, rows, cols], 1.0)
    xyxy = np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], axis=1)
    return xyxy.astype(np.float32), score.astype(np.float32)


def _summit(heat: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sub-cell position (-0.5..0.5 per axis) of the heat summit at each peak.

    Fits a parabola through log-heat at the peak and its two neighbours on each
    axis; for a Gaussian blob that is exact. Peaks on the border stay centred.
    """
    h, w = heat.shape
    log_heat = np.log(np.maximum(heat, 1e-6))

    def axis(before: np.ndarray, at: np.ndarray, after: np.ndarray, inside: np.ndarray) -> np.ndarray:
        curvature = before - 2 * at + after
        shift = np.where(curvature < -1e-6, (before - after) / (2 * np.minimum(curvature, -1e-6)), 0.0)
        return np.where(inside, np.clip(shift, -0.5, 0.5), 0.0)

    r_in, c_in = (rows > 0) & (rows < h - 1), (cols > 0) & (cols < w - 1)
    r0, r1 = np.clip(rows - 1, 0, h - 1), np.clip(rows + 1, 0, h - 1)
    c0, c1 = np.clip(cols - 1, 0, w - 1), np.clip(cols + 1, 0, w - 1)
    at = log_heat[rows, cols]
    dx = axis(log_heat[rows, c0], at, log_heat[rows, c1], c_in)
    dy = axis(log_heat[r0, cols], at, log_heat[r1, cols], r_in)
    return dx, dy


def box_iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pairwise IoU of two (n, 4) and (m, 4) xyxy arrays -> (n, m)."""
    a = np.asarray(a, np.float32).reshape(-1, 4)
    b = np.asarray(b, np.float32).reshape(-1, 4)
    lt = np.maximum(a[:, None, :2], b[None, :, :2])
    rb = np.minimum(a[:, None, 2:], b[None, :, 2:])
    inter = np.clip(rb - lt, 0, None).prod(axis=2)
    area_a = (a[:, 2:] - a[:, :2]).clip(0).prod(axis=1)
    area_b = (b[:, 2:] - b[:, :2]).clip(0).prod(axis=1)
    union = area_a[:, None] + area_b[None, :] - inter
    return np.where(union > 0, inter / np.maximum(union, 1e-9), 0.0).astype(np.float32)
