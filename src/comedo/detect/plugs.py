"""Open comedones on a close-up of blackheads: their dark plugs, marked as lesions.

The learned detector was trained on faces, where a blackhead is a few pixels and
ACNE04's boxes mark mostly inflamed lesions; on a close-up of nose blackheads it
rings random spots and leaves the blackheads unmarked. A blackhead's plug is a
compact dot much darker than the skin around it, which the dark-spot stage
(morphological black-hat on L*) already finds, together with pores and marks. So
where the type classifier says the close-up shows blackheads (its photo label is
``open_comedo``, or its group is comedonal with the label unsure), the dots at
least ``PLUG_MIN_CONTRAST`` L* darker than their surroundings become
``open_comedo`` lesions (origin ``dark_plug``); paler dots stay dark spots.

The gate does most of the work: on the training folder (80 random close-ups per
type, ``docs/performance.md``), 96 % of blackhead photos hold at least one such
dot (median 15), but so do 72-86 % of the other five types (median 2-4), since
shadows, hairs and crusts are dark too. Without the classifier's word, a dark dot
is not a blackhead.
"""

from __future__ import annotations

import cv2
import numpy as np

from comedo.lesions import Lesions
from comedo.measure.darkspots import find_dark_spots
from comedo.types import DarkSpots, LesionType, PhotoType

__all__ = ["mark_open_comedones", "merge_with_detections", "find_plugs", "shows_blackheads", "PLUG_MIN_CONTRAST",
           "MAX_PLUGS",
           "RING_PER_PLUG_RADIUS", "PLUG_MAX_RADIUS", "PLUG_SIDE"]

PLUG_MIN_CONTRAST = 15.0  # L* units darker than the skin around (the dark-spot stage's contrast)
MAX_PLUGS = 60  # the darkest first; more would mark pores on a nose
RING_PER_PLUG_RADIUS = 2.0  # the lesion's ring (and its redness disc) around the plug, in plug radii
# On a close-up a plug is larger in the frame than the face's dark dots the dark-spot stage is sized for (at most
# 1.5 % of the short side): plugs are looked for up to 4 % of it, on a copy of at most PLUG_SIDE px (cheap).
PLUG_MAX_RADIUS = 0.04
PLUG_SIDE = 320


def find_plugs(lightness: np.ndarray, skin: np.ndarray) -> DarkSpots:
    """Dark dots sized for a close-up's blackhead plugs, in the pixels of ``lightness`` (H, W)."""
    h, w = lightness.shape
    scale = min(1.0, PLUG_SIDE / max(h, w))
    if scale < 1.0:
        size = (max(1, round(w * scale)), max(1, round(h * scale)))
        lightness = cv2.resize(lightness, size, interpolation=cv2.INTER_AREA)
        skin = cv2.resize(skin.astype(np.uint8), size, interpolation=cv2.INTER_NEAREST).astype(bool)
    spots = find_dark_spots(lightness, skin, min_contrast=PLUG_MIN_CONTRAST,
                            max_radius_px=max(4.0, PLUG_MAX_RADIUS * min(lightness.shape)))
    return spots if scale == 1.0 else spots.scaled(1.0 / scale)


def shows_blackheads(photo: PhotoType | None) -> bool:
    """The classifier's answer for a close-up is blackheads, or comedones of an unsure kind."""
    if photo is None:
        return False
    return photo.label == LesionType.OPEN_COMEDO.value or (photo.group == "comedonal" and photo.label is None)


def merge_with_detections(found: Lesions, plugs: Lesions) -> np.ndarray:
    """Which detector lesions to keep beside the plugs: one whose centre falls inside a plug's ring, and that is
    untyped or a comedo, is that blackhead found twice; the plug (typed, and sized to it) stands for both."""
    keep = np.ones(len(found), bool)
    if len(found) == 0 or len(plugs) == 0:
        return keep
    d = np.linalg.norm(found.centers[:, None, :] - plugs.centers[None, :, :], axis=2)
    same = (d <= plugs.radii[None, :]).any(axis=1)
    comedo_or_untyped = np.array([t in (None, "open_comedo", "closed_comedo") for t in found.type_label], bool)
    keep[same & comedo_or_untyped] = False
    return keep


def mark_open_comedones(spots: DarkSpots, photo: PhotoType | None, *, min_contrast: float = PLUG_MIN_CONTRAST,
                        max_plugs: int = MAX_PLUGS) -> Lesions:
    """The dark plugs of ``spots`` (the darkest first) as ``open_comedo`` lesions; none when ``photo`` does not
    show blackheads. Each lesion's box spans ``RING_PER_PLUG_RADIUS`` plug radii; its score and type scores are
    the photo's (how sure the classifier is that these are blackheads)."""
    if not shows_blackheads(photo) or len(spots) == 0 or photo is None or photo.scores is None:
        return Lesions.empty()
    dark = np.flatnonzero(spots.contrast >= min_contrast)
    dark = dark[np.argsort(-spots.contrast[dark], kind="stable")][:max_plugs]
    if dark.size == 0:
        return Lesions.empty()
    centers, radii = spots.centers[dark], spots.radii[dark]
    half = np.maximum(radii * RING_PER_PLUG_RADIUS, 3.0)[:, None]
    xyxy = np.hstack([centers - half, centers + half]).astype(np.float32)
    type_scores = np.array([photo.scores[t.value] for t in LesionType], np.float32)
    score = np.float32(photo.scores[LesionType.OPEN_COMEDO.value] if photo.label else
                       sum(photo.scores[t.value] for t in LesionType if t.group.value == "comedonal"))
    n = len(dark)
    return Lesions(xyxy, score=np.full(n, min(float(score), 1.0), np.float32),
                   type_label=np.full(n, LesionType.OPEN_COMEDO.value, object),
                   type_scores=np.repeat(type_scores[None], n, axis=0), origin=np.full(n, "dark_plug", object),
                   dark_core=np.ones(n, bool))
