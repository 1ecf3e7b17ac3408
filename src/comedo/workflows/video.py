"""Extraction videos: a per-frame timeline, events and before/after frames.

Frames are decoded as a stream (OpenCV's bundled FFmpeg: MP4, MOV, WebM, AVI,
animated GIF) and sampled every ``every_s`` seconds, so memory does not grow
with the clip. Each sampled frame goes through ``analyze`` and yields a
``FrameResult`` (``iter_video``).

Events (``find_events``):
* ``instrument_in`` / ``instrument_out``: the scene's instrument/glove flag,
  switched only after two sampled frames agree (hysteresis against flicker);
* ``release``: the treated lesion (the most confident lesion near the centre of
  the first sharp frame) is tracked by registering every frame to that reference
  (``comedo.workflows.registration.register``); its patch is compared with the reference on
  skin pixels only, so an instrument passing over it is ignored. The release is
  the change point of a two-segment least-squares fit to that difference
  (material expelled, or the lesion flattening), kept when the step is at least
  three times the residual noise.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from comedo.workflows.video_frames import iter_frames

__all__ = ["FrameResult", "VideoEvent", "Timeline", "iter_video", "find_events"]

PATCH = 32


@dataclass(frozen=True)
class FrameResult:
    t_s: float
    lesion_count: int
    redness_delta_a_p90: float | None
    inflamed_fraction: float
    instrument_or_fingers: bool
    instrument_confidence: float
    sharpness: float
    motion: float | None
    blurry: bool
    registered: bool
    lesion_change: float | None


@dataclass(frozen=True)
class VideoEvent:
    t_s: float
    kind: str
    confidence: float


@dataclass
class Timeline:
    source: str
    duration_s: float
    fps: float
    every_s: float
    frames: list[FrameResult] = field(default_factory=list)
    events: list[VideoEvent] = field(default_factory=list)
    treated_lesion: dict | None = None












class _LesionTracker:
    """The treated lesion's patch in a reference frame, compared frame by frame on skin pixels."""

    def __init__(self) -> None:
        self.center: np.ndarray | None = None
        self.radius = 0.0
        self.ref_patch: np.ndarray | None = None
        self.ref_skin: np.ndarray | None = None
        self.ref_features = None  # comedo.workflows.compare.Features of the reference, computed once

    def set_reference(self, rgb: np.ndarray, analysis) -> dict | None:  # type: ignore[no-untyped-def]
        les = analysis.lesions
        if len(les) == 0:
            return None
        h, w = rgb.shape[:2]
        centre_dist = np.hypot(les.centers[:, 0] - w / 2, les.centers[:, 1] - h / 2) / math.hypot(w, h)
        k = int(np.argmax(les.score * (1 - centre_dist)))
        self.center, self.radius = les.centers[k].astype(np.float64), float(les.radii[k])
        self.ref_patch, self.ref_skin = self._patch(rgb, np.eye(3), skin=None)
        from comedo.workflows.registration import features

        self.ref_features = features(rgb)
        return {"center": [round(float(self.center[0]), 1), round(float(self.center[1]), 1)],
                "radius_px": round(self.radius, 1), "score": round(float(les.score[k]), 3)}

    def _patch(self, rgb: np.ndarray, h_mat: np.ndarray, skin: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        from comedo.measure.colour import colour_planes
        from comedo.measure.skin import segment_skin

        if self.center is None:
            raise RuntimeError("set_reference must run before patches are taken")
        c = cv2.perspectiveTransform(self.center.reshape(1, 1, 2), h_mat).reshape(2)
        scale = math.sqrt(abs(np.linalg.det(h_mat[:2, :2])))
        half = max(6.0, 1.6 * self.radius * scale)
        x0, y0 = int(round(c[0] - half)), int(round(c[1] - half))
        x1, y1 = int(round(c[0] + half)), int(round(c[1] + half))
        hh, ww = rgb.shape[:2]
        pad = max(0, -x0, -y0, x1 - ww, y1 - hh)
        src = cv2.copyMakeBorder(rgb, pad, pad, pad, pad, cv2.BORDER_REFLECT_101) if pad else rgb
        crop = src[y0 + pad: y1 + pad, x0 + pad: x1 + pad]
        crop = cv2.resize(crop, (PATCH, PATCH), interpolation=cv2.INTER_AREA)
        planes = colour_planes(crop)
        lab = np.dstack([planes.lightness, planes.a_star, planes.b_star])
        return lab, segment_skin(planes, min_component_fraction=0.0).mask

    def change(self, rgb: np.ndarray) -> tuple[bool, float | None]:
        from comedo.workflows.registration import register

        if self.ref_features is None or self.ref_patch is None or self.ref_skin is None:
            return False, None
        reg = register(self.ref_features, rgb)
        if not reg.ok or reg.homography is None:
            return False, None
        lab, skin = self._patch(rgb, reg.homography, skin=None)
        both = skin & self.ref_skin
        if both.sum() < 0.25 * PATCH * PATCH:
            return True, None  # covered (an instrument or a finger over it)
        diff = np.abs(lab - self.ref_patch)[both]
        return True, float(diff[:, 0].mean() * 0.5 + diff[:, 1].mean() + diff[:, 2].mean() * 0.5)


def iter_video(path: str | Path, *, every_s: float = 0.5, detector: str = "auto",
               tracker: _LesionTracker | None = None, on_reference: Callable[[dict | None], None] | None = None
               ) -> Iterator[FrameResult]:
    """Per-frame results of a clip, streamed."""
    from comedo.pipeline import analyze

    path = Path(path)
    tracker = tracker or _LesionTracker()
    previous: np.ndarray | None = None
    for t, rgb in iter_frames(path, every_s):
        analysis = analyze(rgb, detector=detector, name=f"{path.name}@{t:.2f}s")
        small = cv2.resize(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY), (160, 90), interpolation=cv2.INTER_AREA)
        motion = None if previous is None else float(np.abs(small.astype(np.float32) - previous).mean())
        previous = small.astype(np.float32)
        blurry = "blurry" in analysis.quality.flags
        if tracker.ref_features is None and not blurry:
            ref = tracker.set_reference(rgb, analysis)
            if on_reference:
                on_reference(ref)
            registered, change = (ref is not None), (0.0 if ref is not None else None)
        else:
            registered, change = tracker.change(rgb)
        scene = analysis.scene
        red = analysis.redness
        yield FrameResult(
            t_s=t, lesion_count=len(analysis.lesions),
            redness_delta_a_p90=round(red.delta_p90, 2) if math.isfinite(red.delta_p90) else None,
            inflamed_fraction=round(red.inflamed_fraction, 4),
            instrument_or_fingers=bool(scene and scene.instrument_or_fingers),
            instrument_confidence=round(scene.instrument_confidence, 3) if scene else 0.0,
            sharpness=round(analysis.quality.sharpness, 2), motion=None if motion is None else round(motion, 2),
            blurry=blurry, registered=registered, lesion_change=None if change is None else round(change, 3),
        )


def find_events(frames: list[FrameResult]) -> list[VideoEvent]:
    """instrument_in / instrument_out (two-frame hysteresis) and release (strongest lasting step)."""
    events: list[VideoEvent] = []
    state, run, start = False, 0, None
    confidences: list[float] = []
    for i, f in enumerate(frames):
        if f.instrument_or_fingers != state:
            run += 1
            if run >= 2:
                state = f.instrument_or_fingers
                switch = frames[i - 1]
                if state:
                    start = len(events)
                    events.append(VideoEvent(switch.t_s, "instrument_in", 0.0))
                    confidences = []
                else:
                    conf = float(np.mean(confidences)) if confidences else 0.5
                    if start is not None:
                        events[start] = VideoEvent(events[start].t_s, "instrument_in", round(conf, 3))
                    events.append(VideoEvent(switch.t_s, "instrument_out", round(conf, 3)))
                run = 0
        else:
            run = 0
        if state and f.instrument_or_fingers:
            confidences.append(f.instrument_confidence)
    if state and start is not None:
        conf = float(np.mean(confidences)) if confidences else 0.5
        events[start] = VideoEvent(events[start].t_s, "instrument_in", round(conf, 3))
    release = _release(frames)
    if release is not None:
        events.append(release)
    return sorted(events, key=lambda e: e.t_s)


def _release(frames: list[FrameResult]) -> VideoEvent | None:
    """Two-segment least-squares fit of the treated lesion's change; the reference frame is left out
    (its change is zero by construction)."""
    pts = [(f.t_s, f.lesion_change) for f in frames[1:] if f.lesion_change is not None]
    if len(pts) < 4:
        return None
    t = np.array([p[0] for p in pts])
    s = np.array([p[1] for p in pts], np.float64)
    best_k, best_sse = None, np.inf
    for k in range(1, len(s)):
        sse = float(((s[:k] - s[:k].mean()) ** 2).sum() + ((s[k:] - s[k:].mean()) ** 2).sum())
        if sse < best_sse:
            best_k, best_sse = k, sse
    if best_k is None:
        return None
    step = float(s[best_k:].mean() - s[:best_k].mean())
    noise = float(np.sqrt(best_sse / max(len(s) - 2, 1))) + 0.3
    if step < 3 * noise or step < 2.0:
        return None
    confidence = float(1 - math.exp(-step / (4 * noise)))
    return VideoEvent(float(t[best_k]), "release", round(confidence, 3))
