"""Reading frames from a video (or an animated GIF) at a fixed interval, without holding the whole video in
memory; still photos given as videos are refused with a clear message."""

from __future__ import annotations

import contextlib
import math
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np

from comedo.errors import InvalidInputError

__all__ = ["VIDEO_SUFFIXES", "video_info", "iter_frames", "frames_at"]


VIDEO_SUFFIXES = {".mp4", ".mov", ".m4v", ".webm", ".mkv", ".avi", ".gif"}


def _open(path: Path) -> cv2.VideoCapture:
    import os
    import stat

    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise InvalidInputError(f"{path}: file not found") from None
    except OSError as exc:
        raise InvalidInputError(f"{path}: cannot read file ({exc.strerror or exc})") from None
    if stat.S_ISDIR(info.st_mode):
        raise InvalidInputError(f"{path}: is a directory, not a video")
    if not stat.S_ISREG(info.st_mode):
        raise InvalidInputError(f"{path}: not a regular file (a pipe, device or socket); give a video file")
    if info.st_size == 0:
        raise InvalidInputError(f"{path}: file is empty (0 bytes)")
    if _is_still_photo(path):
        raise InvalidInputError(f"{path}: is a still photo, not a video; analyse it with: comedo analyze {path}")
    with _quiet_native_stderr():  # FFmpeg's decoder complaints ("moov atom not found") before our one line
        cap = cv2.VideoCapture(str(path))
        ok = cap.isOpened()
        if ok:
            ok, _ = cap.read()
            cap.release()
            cap = cv2.VideoCapture(str(path))
    if not ok:
        raise InvalidInputError(f"{path}: not a readable video (MP4, MOV, WebM, AVI or animated GIF)")
    return cap


@contextlib.contextmanager
def _quiet_native_stderr() -> Iterator[None]:
    """Send file descriptor 2 to /dev/null while OpenCV probes a file: FFmpeg logs from C straight to it, which no
    Python logging setting reaches. Python's own stderr is flushed first and restored after."""
    sys.stderr.flush()
    try:
        saved = os.dup(2)
    except OSError:  # no descriptor 2 (a detached process): nothing to silence
        yield
        return
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def _is_still_photo(path: Path) -> bool:
    """A photo format Pillow reads with one frame (OpenCV opens a JPEG as a one-frame "video")."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as img:
            return int(getattr(img, "n_frames", 1)) <= 1
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return False


def video_info(path: Path) -> tuple[float, float]:
    """(fps, duration in seconds; 0 when the container does not say)."""
    cap = _open(path)
    fps = cap.get(cv2.CAP_PROP_FPS) or 0.0
    count = cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0.0
    cap.release()
    fps = fps if 0 < fps < 1000 else 25.0
    return fps, (count / fps if count > 0 else 0.0)


def iter_frames(path: Path, every_s: float) -> Iterator[tuple[float, np.ndarray]]:
    """(t_s, RGB frame) every ``every_s`` seconds, decoding sequentially (bounded memory)."""
    if not every_s > 0:
        raise InvalidInputError(f"--every must be a positive number of seconds, got {every_s}")
    cap = _open(path)
    fps, _ = video_info(path)
    index, next_t = 0, 0.0
    try:
        while True:
            ok = cap.grab()
            if not ok:
                break
            t = index / fps
            index += 1
            if t + 1e-6 < next_t:
                continue
            ok, bgr = cap.retrieve()
            if not ok:
                break
            next_t += every_s * max(1, math.floor((t - next_t) / every_s) + 1)
            yield round(t, 3), cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
    finally:
        cap.release()


def frames_at(path: Path, times_s: list[float]) -> list[np.ndarray | None]:
    """The frame at or just after each of ``times_s``, in one sequential pass.

    Keyframes are few, but a pass per keyframe would decode a long clip once per
    keyframe; one pass keeps the cost to a single decode and memory to the frames asked for.
    """
    wanted = sorted(set(times_s))
    found: dict[float, np.ndarray] = {}
    last: np.ndarray | None = None
    if wanted:
        for t, rgb in iter_frames(path, 1 / max(video_info(path)[0], 1)):
            last = rgb
            while len(found) < len(wanted) and t >= wanted[len(found)] - 1e-6:
                found[wanted[len(found)]] = rgb
            if len(found) == len(wanted):
                break
    # A time past the last frame gets the last frame, as a seek to the end would.
    return [found.get(t, last) for t in times_s]
