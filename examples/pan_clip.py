"""Make the 20 s 1280x720 clip that docs/performance.md times `comedo video` on.

    python examples/pan_clip.py OUT.mp4

A slow pan (with a gentle vertical sway) over the bundled sample photo, enlarged
and widened with mirrored borders, at 30 frames/s. Nothing happens in it: no
instrument, no extraction, so every event comedo reports on it is a false alarm.
"""

from __future__ import annotations

import sys
from pathlib import Path

import cv2
import numpy as np

SAMPLE = Path(__file__).resolve().parents[1] / "src" / "comedo" / "samples" / "face_acne04.jpg"


def main(out: str) -> None:
    photo = cv2.imread(str(SAMPLE))
    wide = cv2.copyMakeBorder(cv2.resize(photo, (1280, 1280)), 0, 0, 200, 200, cv2.BORDER_REFLECT)
    writer = cv2.VideoWriter(out, cv2.VideoWriter_fourcc(*"mp4v"), 30, (1280, 720))
    frames = 20 * 30
    for i in range(frames):
        t = i / frames
        x, y = int(200 * t), int(300 + 100 * np.sin(2 * np.pi * t))
        writer.write(np.ascontiguousarray(wide[y : y + 720, x : x + 1280]))
    writer.release()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "pan720.mp4")
