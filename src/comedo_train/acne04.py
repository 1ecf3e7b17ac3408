"""ACNE04 (COCO export) loading, augmentation and CenterNet targets."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from comedo_train.detector_geometry import STRIDE


@dataclass
class Sample:
    """One photo held in memory: RGB uint8 pixels and xyxy boxes."""

    name: str
    source: str
    grade: int
    rgb: np.ndarray
    boxes: np.ndarray  # (n, 4) float32 xyxy


def load_split(split_dir: Path) -> list[Sample]:
    """Read ``annotations.json`` and decode every image once (RGB)."""
    coco = json.loads((split_dir / "annotations.json").read_text())
    boxes: dict[int, list[list[float]]] = {}
    for ann in coco["annotations"]:
        x, y, w, h = ann["bbox"]
        boxes.setdefault(ann["image_id"], []).append([x, y, x + w, y + h])
    samples = []
    for info in sorted(coco["images"], key=lambda i: i["id"]):
        bgr = cv2.imread(str(split_dir / "images" / info["file_name"]), cv2.IMREAD_COLOR)
        if bgr is None:
            raise FileNotFoundError(split_dir / "images" / info["file_name"])
        samples.append(
            Sample(
                name=info["file_name"],
                source=info.get("source", info["file_name"]),
                grade=int(info.get("grade", -1)),
                rgb=cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB),
                boxes=np.asarray(boxes.get(info["id"], []), np.float32).reshape(-1, 4),
            )
        )
    return samples


def augment(sample: Sample, rng: np.random.Generator, crop: int) -> tuple[np.ndarray, np.ndarray]:
    """Random scale (0.7-1.4x), crop to ``crop`` px, flip, colour jitter, blur."""
    img, boxes = sample.rgb, sample.boxes.copy()
    scale = float(np.exp(rng.uniform(np.log(0.7), np.log(1.4))))
    h, w = img.shape[:2]
    nh, nw = max(crop, int(round(h * scale))), max(crop, int(round(w * scale)))
    sx, sy = nw / w, nh / h
    img = cv2.resize(img, (nw, nh), interpolation=cv2.INTER_LINEAR if scale > 1 else cv2.INTER_AREA)
    boxes = boxes * np.array([sx, sy, sx, sy], np.float32)
    # Crop biased towards lesions half of the time so sparse faces still teach.
    if len(boxes) and rng.random() < 0.5:
        b = boxes[rng.integers(len(boxes))]
        cx, cy = (b[0] + b[2]) / 2, (b[1] + b[3]) / 2
        x0 = int(np.clip(cx - rng.uniform(0.15, 0.85) * crop, 0, nw - crop))
        y0 = int(np.clip(cy - rng.uniform(0.15, 0.85) * crop, 0, nh - crop))
    else:
        x0, y0 = int(rng.integers(0, nw - crop + 1)), int(rng.integers(0, nh - crop + 1))
    img = img[y0 : y0 + crop, x0 : x0 + crop]
    boxes = boxes - np.array([x0, y0, x0, y0], np.float32)
    if len(boxes):
        cx, cy = (boxes[:, 0] + boxes[:, 2]) / 2, (boxes[:, 1] + boxes[:, 3]) / 2
        inside = (cx >= 0) & (cx < crop) & (cy >= 0) & (cy < crop)
        boxes = np.clip(boxes[inside], 0, crop - 1)
    if rng.random() < 0.5:
        img = img[:, ::-1]
        boxes = boxes[:, [2, 1, 0, 3]] * np.array([-1, 1, -1, 1], np.float32) + np.array([crop, 0, crop, 0], np.float32)
    img = np.ascontiguousarray(img)
    hsv = cv2.cvtColor(img, cv2.COLOR_RGB2HSV).astype(np.float32)
    hsv[..., 0] = (hsv[..., 0] + rng.uniform(-4, 4)) % 180
    hsv[..., 1] *= rng.uniform(0.75, 1.25)
    hsv[..., 2] *= rng.uniform(0.7, 1.3)
    img = cv2.cvtColor(np.clip(hsv, 0, 255).astype(np.uint8), cv2.COLOR_HSV2RGB)
    if rng.random() < 0.2:
        img = cv2.GaussianBlur(img, (0, 0), rng.uniform(0.5, 1.2))
    return img, boxes.astype(np.float32)


def make_targets(boxes: np.ndarray, height: int, width: int) -> dict[str, np.ndarray]:
    """Targets at stride 4 for the heat + side-distance detector.

    * ``heat``: an elliptical Gaussian per box (TTFNet: sigma = 0.54 * side / 6)
      centred on the box's true, sub-cell centre, with 1 at the cell holding it;
    * ``ltrb``: at every cell near a centre, the distances in pixels from the
      cell's centre ``(col + 0.5) * 4`` to the box's left, top, right and bottom;
    * ``weight``: how much each such cell counts in the box loss, the box's
      Gaussian normalised to sum to 1 per box, so every lesion weighs the same.
      Where two boxes' regions overlap, the smaller box owns the cell.
    """
    gh, gw = height // STRIDE, width // STRIDE
    heat = np.zeros((gh, gw), np.float32)
    ltrb = np.zeros((4, gh, gw), np.float32)
    weight = np.zeros((gh, gw), np.float32)
    ys, xs = np.mgrid[0:gh, 0:gw].astype(np.float32)
    areas = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1]) if len(boxes) else np.zeros(0)
    for k in np.argsort(-areas, kind="stable"):
        x0, y0, x1, y1 = boxes[k]
        bw, bh = max(x1 - x0, 1.0), max(y1 - y0, 1.0)
        cx, cy = (x0 + x1) / 2 / STRIDE - 0.5, (y0 + y1) / 2 / STRIDE - 0.5
        ix, iy = int(np.clip(round(cx), 0, gw - 1)), int(np.clip(round(cy), 0, gh - 1))
        sx = max(0.54 * bw / STRIDE / 6, 0.5)
        sy = max(0.54 * bh / STRIDE / 6, 0.5)
        r = int(3 * max(sx, sy)) + 1
        ya, yb, xa, xb = max(iy - r, 0), min(iy + r + 1, gh), max(ix - r, 0), min(ix + r + 1, gw)
        gx, gy = xs[ya:yb, xa:xb], ys[ya:yb, xa:xb]
        g = np.exp(-((gx - cx) ** 2) / (2 * sx * sx) - ((gy - cy) ** 2) / (2 * sy * sy))
        heat[ya:yb, xa:xb] = np.maximum(heat[ya:yb, xa:xb], g)
        heat[iy, ix] = 1.0
        # Regression cells: the Gaussian's core, and only cells whose centre lies inside the box.
        px, py = (gx + 0.5) * STRIDE, (gy + 0.5) * STRIDE
        core = (g > 0.05) & (px > x0) & (px < x1) & (py > y0) & (py < y1)
        core[iy - ya, ix - xa] = True
        w = np.where(core, np.maximum(g, 1e-3), 0.0)
        w /= w.sum()
        sel = w > 0
        region = (slice(ya, yb), slice(xa, xb))
        for c, d in enumerate((px - x0, py - y0, x1 - px, y1 - py)):
            ltrb[c][region][sel] = np.maximum(d[sel], 0.5)
        weight[region][sel] = w[sel]
    return {"heat": heat[None], "ltrb": ltrb, "weight": weight[None]}
