"""Synthetic skin photos with ground truth we draw ourselves (scikit-image style).

Colours are set in CIELAB so a test can say "this patch is 6 a* units redder
than the skin" and check the measurement against it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

# Typical skin tones in CIELAB (L*, a*, b*): light, medium, dark.
TONES = {"light": (72.0, 14.0, 17.0), "medium": (58.0, 15.0, 22.0), "dark": (38.0, 13.0, 17.0)}


def lab_to_rgb(lab: np.ndarray) -> np.ndarray:
    rgb = cv2.cvtColor(lab.astype(np.float32), cv2.COLOR_Lab2RGB)
    return np.clip(rgb * 255 + 0.5, 0, 255).astype(np.uint8)


@dataclass
class Scene:
    rgb: np.ndarray
    skin: np.ndarray
    dots: list[tuple[float, float, float]] = field(default_factory=list)  # x, y, radius
    patches: list[tuple[float, float, float, float]] = field(default_factory=list)  # x, y, radius, delta a*


def skin_scene(
    size: tuple[int, int] = (480, 640),
    *,
    tone: str = "light",
    background: tuple[int, int, int] = (90, 110, 160),
    margin: int = 40,
    noise: float = 1.2,
    seed: int = 0,
    saturation: float = 1.0,
) -> Scene:
    """A rectangle of textured skin on a coloured background; ``saturation`` < 1
    scales the skin's chroma (a*, b*) down, as in a faded or desaturated photo."""
    rng = np.random.default_rng(seed)
    h, w = size
    lab = np.zeros((h, w, 3), np.float32)
    light, a, b = TONES[tone]
    lab[:] = (light, a * saturation, b * saturation)
    lab[..., 0] += cv2.GaussianBlur(rng.normal(0, noise * 3, (h, w)).astype(np.float32), (0, 0), 2)
    lab[..., 1] += cv2.GaussianBlur(rng.normal(0, noise, (h, w)).astype(np.float32), (0, 0), 3)
    rgb = lab_to_rgb(lab)
    skin = np.zeros((h, w), bool)
    skin[margin : h - margin, margin : w - margin] = True
    rgb[~skin] = background
    return Scene(rgb, skin)


def add_dots(scene: Scene, n: int, *, radius: tuple[float, float] = (1.5, 4.0), darken: float = 25.0,
             seed: int = 1, min_gap: float = 14.0) -> Scene:
    """Dark round dots (L* lowered by ``darken``) at random places on skin, apart from each other."""
    rng = np.random.default_rng(seed)
    lab = cv2.cvtColor(scene.rgb.astype(np.float32) / 255, cv2.COLOR_RGB2Lab)
    ys, xs = np.nonzero(cv2.erode(scene.skin.astype(np.uint8), np.ones((31, 31), np.uint8)))
    placed: list[tuple[float, float, float]] = list(scene.dots)
    tries = 0
    while len(placed) < len(scene.dots) + n and tries < 10_000:
        tries += 1
        i = rng.integers(len(xs))
        x, y, r = float(xs[i]), float(ys[i]), float(rng.uniform(*radius))
        if any((x - px) ** 2 + (y - py) ** 2 < (min_gap + r + pr) ** 2 for px, py, pr in placed + [
                (p[0], p[1], p[2]) for p in scene.patches]):
            continue
        disc = np.zeros(scene.skin.shape, np.float32)
        cv2.circle(disc, (int(round(x)), int(round(y))), int(round(r)), 1.0, -1, cv2.LINE_AA)
        lab[..., 0] -= darken * disc
        placed.append((x, y, r))
    return Scene(lab_to_rgb(lab), scene.skin, placed, scene.patches)


def add_red_patch(scene: Scene, x: float, y: float, radius: float, delta_a: float, *,
                  darken: float = 0.0) -> Scene:
    """A flat disc with a* raised by ``delta_a`` (an inflamed area of known redness), and L* lowered by
    ``darken`` (with a large ``darken``, a stand-in for lips or a shadowed fold)."""
    lab = cv2.cvtColor(scene.rgb.astype(np.float32) / 255, cv2.COLOR_RGB2Lab)
    disc = np.zeros(scene.skin.shape, np.uint8)
    cv2.circle(disc, (int(round(x)), int(round(y))), int(round(radius)), 1, -1)
    lab[..., 1] += delta_a * disc
    lab[..., 0] -= darken * disc
    return Scene(lab_to_rgb(lab), scene.skin, scene.dots, scene.patches + [(x, y, radius, delta_a)])


def red_bump_photo(size: tuple[int, int] = (480, 640), radius: int = 30, *, seed: int = 5) -> tuple[np.ndarray, float]:
    """A close-up of medium skin with one soft red bump at the centre: (rgb, the bump's equivalent diameter in px,
    the disc drawn before its edge is blurred as a papule's)."""
    scene = skin_scene(size=size, tone="medium", seed=seed, margin=0)
    lab = cv2.cvtColor(scene.rgb.astype(np.float32) / 255, cv2.COLOR_RGB2Lab)
    disc = np.zeros(scene.skin.shape, np.float32)
    cv2.circle(disc, (size[1] // 2, size[0] // 2), radius, 1.0, -1)
    bump = cv2.GaussianBlur(disc, (0, 0), max(1.0, radius / 10))
    lab[..., 1] += 14.0 * bump
    lab[..., 0] -= 6.0 * bump
    return lab_to_rgb(lab), 2 * float(np.sqrt(disc.sum() / np.pi))
