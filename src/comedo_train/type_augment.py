"""Training-time image handling for the type network: loading, random crops and flips, camera effects (blur,
noise, JPEG, white balance) and the centre crop used for evaluation."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

INPUT = 160  # default network input side (train_types --input changes it)

__all__ = ["load_rgb", "augment", "camera_effects", "centre"]


def load_rgb(path: Path, side: int = 192) -> np.ndarray:
    bgr = cv2.imread(str(path), cv2.IMREAD_COLOR)
    return cv2.cvtColor(cv2.resize(bgr, (side, side), interpolation=cv2.INTER_AREA), cv2.COLOR_BGR2RGB)


def augment(img: np.ndarray, rng: np.random.Generator, side: int = INPUT, min_crop: float = 0.7,
            camera: bool = False) -> np.ndarray:
    """A random view of a training photo: crop, rotation, flip, colour jitter, sometimes grey or blurred; with
    ``camera``, also what other cameras and websites do to a photo (``camera_effects``)."""
    h, w = img.shape[:2]
    scale = rng.uniform(min_crop, 1.0)
    ch, cw = int(h * scale), int(w * scale * rng.uniform(0.85, 1.15))
    cw = min(cw, w)
    y0, x0 = rng.integers(0, h - ch + 1), rng.integers(0, w - cw + 1)
    img = img[y0 : y0 + ch, x0 : x0 + cw]
    angle = rng.uniform(0, 360)
    m = cv2.getRotationMatrix2D((img.shape[1] / 2, img.shape[0] / 2), angle, 1.0)
    img = cv2.warpAffine(img, m, (img.shape[1], img.shape[0]), borderMode=cv2.BORDER_REFLECT_101)
    img = cv2.resize(img, (side, side), interpolation=cv2.INTER_AREA)
    if rng.random() < 0.5:
        img = img[:, ::-1]
    hsv = cv2.cvtColor(np.ascontiguousarray(img), cv2.COLOR_RGB2HSV).astype(np.float32)
    hsv[..., 0] = (hsv[..., 0] + rng.uniform(-6, 6)) % 180
    hsv[..., 1] *= rng.uniform(0.6, 1.35)
    hsv[..., 2] *= rng.uniform(0.65, 1.35)
    img = cv2.cvtColor(np.clip(hsv, 0, 255).astype(np.uint8), cv2.COLOR_HSV2RGB)
    if rng.random() < 0.1:
        img = np.repeat(cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)[..., None], 3, axis=2)
    if rng.random() < 0.25:
        img = cv2.GaussianBlur(img, (0, 0), rng.uniform(0.4, 1.5))
    return camera_effects(img, rng) if camera else img


def camera_effects(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """White balance (per-channel gains of 0.85-1.15), a lower resolution (down to 40 % and back) and JPEG
    re-compression (quality 30-90), each on about half the views: the data's photos come from a handful of
    web sources, and a model that keys on one source's colour or compression will not carry to others."""
    if rng.random() < 0.5:
        img = np.clip(img.astype(np.float32) * rng.uniform(0.85, 1.15, 3), 0, 255).astype(np.uint8)
    if rng.random() < 0.5:
        side = img.shape[0]
        small = max(16, int(side * rng.uniform(0.4, 1.0)))
        img = cv2.resize(cv2.resize(img, (small, small), interpolation=cv2.INTER_AREA), (side, side),
                         interpolation=cv2.INTER_LINEAR)
    if rng.random() < 0.5:
        ok, buf = cv2.imencode(".jpg", np.ascontiguousarray(img[..., ::-1]),
                               [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(30, 91))])
        img = cv2.imdecode(buf, cv2.IMREAD_COLOR)[..., ::-1]
    return np.ascontiguousarray(img)


def centre(img: np.ndarray, side: int = INPUT) -> np.ndarray:
    return cv2.resize(img, (side, side), interpolation=cv2.INTER_AREA)
