"""Scene: is the photo a close-up of a patch of skin or a wider view (face,
body), and is an instrument or a (gloved) hand in frame?

Close-up vs wide: a small network (``comedo/nets/weights/close_up.onnx``, trained
by ``comedo_train.train_photo_flag --task close_up`` on hand labels of the
lesion-type photos and on ACNE04 faces) looks at the whole frame. Without
that model, or without the photo, a logistic regression over ten measured
features (``scene_features``, fitted by ``comedo_train.fit_scene``; its
coefficients are in ``comedo/nets/weights/scene.json``) decides: wide views show
more non-skin (hair, eyes, background) around the border and have smaller skin
texture relative to the frame. On held-out hand-labelled photos the network
is right far more often (docs/performance.md).

Instrument or fingers: a small network (``comedo/nets/weights/instrument.onnx``,
trained by ``comedo_train.train_photo_flag --task instrument``) looks
at the whole frame for a hand, glove, needle, extractor, tweezers or cotton.
Beside it, one transparent rule: a bright blue or purple region (nitrile
gloves: L* > 35, C*ab > 20) of at least 1.5 % of the frame that enters from
the frame edge and lies over skin (``blue_glove_rule``); such gloves are
common in clinics but rare in the training photos. Either one flags the photo.
Earlier rules for white gloves and grey tools were dropped: on 638 held-out
hand-labelled photos they found 6 of 60 and raised 11 false alarms.

On a photo with a mapped face the network's word is not taken alone: it learned from close-ups (and ACNE04
faces as negatives) and on other people's portraits and selfies it fires at up to 1.0 with nothing in frame
(issue 33: 91 of 300 faces-wild photos, 87 of them with a mapped face). There only the blue-glove rule flags;
the network's probability is kept in the evidence. Close-ups, which are never mapped, keep the network.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np

from comedo.classify.registry import get_close_up_classifier, get_instrument_classifier
from comedo.errors import ModelError
from comedo.measure.colour import ColourPlanes
from comedo.nets.registry import weights_file
from comedo.types import DarkSpots, Scene

__all__ = ["Scene", "scene_features", "classify_scene", "blue_glove_rule", "instrument_in_frame", "scene_models",
           "PhotoFlags", "read_photo_flags",
           "FEATURE_NAMES"]

FEATURE_NAMES = ("skin_fraction", "border_skin_fraction", "nonskin_dark_fraction", "dark_spots_log_density",
                 "dark_spot_rel_radius", "red_fraction", "skin_l_spread", "interior_holes", "lip_fraction",
                 "top_dark_fraction")


def scene_features(planes: ColourPlanes, skin: np.ndarray, spots: DarkSpots) -> np.ndarray:
    """The features of ``FEATURE_NAMES`` (float64)."""
    h, w = skin.shape
    band = max(2, int(0.04 * min(h, w)))
    border = np.zeros_like(skin)
    border[:band], border[-band:], border[:, :band], border[:, -band:] = True, True, True, True
    skin_fraction = float(skin.mean())
    border_skin = float(skin[border].mean())
    nonskin_dark = float(((planes.lightness < 30) & ~skin).mean())
    skin_px = max(int(skin.sum()), 1)
    density = float(np.log1p(len(spots) / skin_px * 1e4))
    rel_radius = float(np.median(spots.radii) / min(h, w)) * 100 if len(spots) else 0.0
    if skin.any():
        a = planes.a_star[skin]
        red = float((a > np.median(a) + 5).mean())
        spread = float(np.percentile(planes.lightness[skin], 90) - np.percentile(planes.lightness[skin], 10))
    else:
        red, spread = 0.0, 0.0
    # Eyes, nostrils and an open mouth are non-skin holes inside the skin region.
    inverse = (~skin).astype(np.uint8)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(inverse, connectivity=4)
    edge_labels = set(np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]])).tolist())
    holes = sum(1 for i in range(1, n)
                if i not in edge_labels and 0.001 * h * w <= stats[i, cv2.CC_STAT_AREA] <= 0.08 * h * w)
    # Lips: strongly red-magenta and smooth, a colour skin rarely has even when inflamed.
    hue = np.degrees(np.arctan2(planes.b_star, planes.a_star))
    lips = float(((planes.a_star > 25) & (hue < 28) & (planes.lightness > 25)).mean())
    top = float((planes.lightness[: max(1, h // 5)] < 30).mean())
    return np.array([skin_fraction, border_skin, nonskin_dark, density, rel_radius, red, spread / 10, float(holes),
                     lips * 10, top], np.float64)


@lru_cache(maxsize=1)
def _scene_model() -> dict | None:
    path = weights_file("scene.json")
    return json.loads(path.read_text()) if path.exists() else None


def close_up_probability(features: np.ndarray) -> float:
    model = _scene_model()
    if model is None:
        raise ModelError(f"scene model {weights_file('scene.json')} is missing; reinstall comedo")
    z = (features - np.array(model["mean"])) / np.array(model["std"])
    logit = float(z @ np.array(model["coef"]) + model["intercept"])
    return float(1 / (1 + np.exp(-logit)))


def blue_glove_rule(planes: ColourPlanes, skin: np.ndarray) -> tuple[float, tuple[str, ...]]:
    """Confidence 0..1 that a blue or purple (nitrile) glove is in frame, with the evidence.

    The region must look like something held over the skin: it enters from the
    frame edge (3-40 % of its outline on the edge) and lies on skin for at
    least 70 % of the rest of its outline. Backgrounds (mostly edge) do not.
    """
    h, w = skin.shape
    area = h * w
    light, a, b = planes.lightness, planes.a_star, planes.b_star
    chroma = np.hypot(a, b)
    hue = np.degrees(np.arctan2(b, a)) % 360
    skin_ring = cv2.dilate(skin.astype(np.uint8), np.ones((7, 7), np.uint8)) > 0
    mask = (hue > 200) & (hue < 330) & (chroma > 20) & (light > 35) & ~skin
    evidence: list[str] = []
    score = 0.0
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    for i in range(1, n):
        frac = stats[i, cv2.CC_STAT_AREA] / area
        if frac < 0.015:
            continue
        x, y, bw, bh = stats[i, :4]
        comp = (labels[y : y + bh, x : x + bw] == i).astype(np.uint8)
        outline = comp - cv2.erode(comp, np.ones((3, 3), np.uint8), borderType=cv2.BORDER_CONSTANT, borderValue=0)
        ys, xs = np.nonzero(outline)
        inner = (ys + y > 1) & (ys + y < h - 2) & (xs + x > 1) & (xs + x < w - 2)
        if inner.sum() < 20:
            continue
        frame_edge = 1 - float(inner.mean())
        on_skin = float(skin_ring[ys[inner] + y, xs[inner] + x].mean())
        if not (0.03 <= frame_edge < 0.4 and on_skin >= 0.7):
            continue
        evidence.append(f"blue/purple glove entering the frame over skin ({frac:.0%} of the frame)")
        score = max(score, min(1.0, 0.3 + 0.5 * on_skin + frac))
    return score, tuple(evidence)


@dataclass(frozen=True)
class PhotoFlags:
    """What the two whole-frame networks read from the photo: the close-up and the instrument probability
    (None where the build has no such model). They need only the pixels, so the pipeline reads them on its
    side thread while the skin and dark-spot stages run."""

    close_up: float | None
    instrument: float | None


def read_photo_flags(rgb: np.ndarray) -> PhotoFlags:
    view, instrument = get_close_up_classifier(), get_instrument_classifier()
    return PhotoFlags(view.probability(rgb) if view is not None else None,
                      instrument.probability(rgb) if instrument is not None else None)


def instrument_in_frame(probability: float | None, planes: ColourPlanes, skin: np.ndarray, *,
                        face_mapped: bool = False) -> tuple[float, float, tuple[str, ...]]:
    """(confidence, threshold, evidence) that a hand, glove or tool is in frame: the larger of the network's
    ``probability`` (``PhotoFlags.instrument``; None without it) and the blue-glove rule's confidence. With
    ``face_mapped`` (a wider view whose face was mapped) the network does not count, the rule alone decides and
    a probability at or over the threshold is noted in the evidence as not taken."""
    confidence, evidence = blue_glove_rule(planes, skin)
    classifier = get_instrument_classifier()
    threshold = classifier.card.threshold if classifier else 0.5
    if probability is not None and face_mapped:
        if probability >= threshold:
            evidence = (*evidence, f"not taken alone on a mapped face: the instrument classifier's probability "
                                   f"{probability:.2f} (it learned from close-ups)")
    elif probability is not None:
        if probability >= threshold:
            evidence = (f"a hand, glove or tool, seen by the instrument classifier (probability {probability:.2f})",
                        *evidence)
        confidence = max(confidence, probability)
    return confidence, threshold, evidence


SCENE_SIDE = 320  # features are fractions and shapes; a small copy is enough and 4x cheaper


def _small(planes: ColourPlanes, skin: np.ndarray) -> tuple[ColourPlanes, np.ndarray, float]:
    h, w = skin.shape
    scale = min(1.0, SCENE_SIDE / max(h, w))
    if scale >= 1.0:
        return planes, skin, 1.0

    small = planes.shrunk(SCENE_SIDE)  # the skin stage's copy, made once
    return small, cv2.resize(skin.astype(np.uint8), None, fx=scale, fy=scale, interpolation=cv2.INTER_NEAREST) > 0, \
        scale


def scene_models() -> dict[str, object]:
    """Which models decide the scene in this build, for the analysis's provenance."""
    view, instrument = get_close_up_classifier(), get_instrument_classifier()
    return {"close_up": view.identity if view else "logistic regression (scene.json)",
            "instrument": instrument.identity if instrument else "blue-glove rule only"}


def classify_scene(planes: ColourPlanes, skin: np.ndarray, spots: DarkSpots | None,
                   flags: PhotoFlags | None = None, *, face_mapped: bool = False) -> Scene:
    """The scene of a photo from its colour planes, skin mask and dark spots, and what the whole-frame
    networks read from it (``read_photo_flags``; without them, the feature regression and the glove rule).
    ``spots`` may be None when ``flags`` has the close-up network's answer: only the regression reads them.
    ``face_mapped``: the photo's face was mapped, so the instrument network alone does not flag it
    (``instrument_in_frame``); the face map needs the view first, so the pipeline asks again once it has it."""
    small, small_skin, scale = _small(planes, skin)
    if flags is not None and flags.close_up is not None:
        p = flags.close_up
    else:
        if spots is None:
            raise ValueError("without the close-up network, the scene needs the photo's dark spots")
        scaled_spots = DarkSpots(spots.centers * scale, spots.radii * scale, spots.contrast)
        p = close_up_probability(scene_features(small, small_skin, scaled_spots))
    confidence, threshold, evidence = instrument_in_frame(None if flags is None else flags.instrument, small,
                                                          small_skin, face_mapped=face_mapped)
    return Scene("close_up" if p >= 0.5 else "wide", p, confidence >= threshold, confidence, evidence)
