"""Short clips built from a real photo with known events, for the video tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

import comedo


@dataclass
class Clip:
    path: Path
    instrument_in: float
    release: float
    instrument_out: float


def build_clip(photo: Path, out: Path, *, fps: int = 10, seconds: float = 7.0, t_in: float = 2.0,
               t_release: float = 3.0, t_out: float = 4.5, detector: str = "auto") -> Clip:
    """Pan and zoom slowly over the photo; a blue-gloved finger slides in from the right at ``t_in`` and leaves at
    ``t_out``; the treated lesion (chosen as comedo's tracker chooses it) is painted out from ``t_release``."""
    from comedo.workflows.video import _LesionTracker

    base = comedo.load_image(photo).pixels
    first = comedo.analyze(base, detector=detector)
    tracker = _LesionTracker()
    ref = tracker.set_reference(base, first)
    if ref is None:
        raise ValueError("the photo needs a detected lesion")
    cx, cy = ref["center"]
    r = ref["radius_px"]
    mask = np.zeros(base.shape[:2], np.uint8)
    cv2.circle(mask, (int(cx), int(cy)), int(r * 1.5) + 3, 255, -1)
    cleared = cv2.inpaint(base, mask, 7, cv2.INPAINT_TELEA)
    h, w = base.shape[:2]
    writer = cv2.VideoWriter(str(out), cv2.VideoWriter_fourcc(*"mp4v"), fps, (w, h))
    n = int(seconds * fps)
    for i in range(n):
        t = i / fps
        img = (cleared if t >= t_release else base).copy()
        if t_in <= t < t_out:  # a nitrile-gloved finger from the right edge, its rounded tip beside the lesion
            tip_x = int(cx + r * 2.5)
            cv2.rectangle(img, (tip_x + 22, int(cy - 22)), (w, int(cy + 22)), (70, 110, 220), -1)
            cv2.circle(img, (tip_x + 22, int(cy)), 22, (70, 110, 220), -1, cv2.LINE_AA)
        zoom = 1.0 + 0.04 * t / seconds
        m = cv2.getRotationMatrix2D((w / 2, h / 2), 1.0 * t / seconds, zoom)
        m[:, 2] += (6 * t / seconds, -4 * t / seconds)
        frame = cv2.warpAffine(img, m, (w, h), borderMode=cv2.BORDER_REFLECT_101)
        writer.write(frame[..., ::-1])
    writer.release()
    return Clip(out, t_in, t_release, t_out)
