"""Close-ups labelled lesion by lesion (COCO from ``labelling convert``) as samples for the close-up detector.

Pure numpy + OpenCV (no torch), so targets and decoding are testable without the training extra.

* ``load_closeups``: every photo with status ``ok`` (a mosaic's tile cut out by its ``crop``), its rings as
  (x, y, r) circles, each ring's type as a class of ``TYPE_CLASSES`` (the six acne types, the look-alikes as one
  class, ``not_lesion``; ``unsure`` is ``IGNORE``: a lesion for the heatmap, no type), and its dropped
  candidates (hard negatives).
* ``shades_of_grey``: colour constancy (Finlayson & Trezzi 2004, Minkowski norm p = 6, the usual step in the ISIC
  dermoscopy challenges, e.g. Barata et al. 2015), applied to a photo before the network in training and at
  inference alike (``prepare``).
* ``augment_closeup``: what other cameras and sites do to a photo (colour cast, exposure, gamma, saturation,
  blur, lower resolution, JPEG), then colour constancy, then one affine warp (scale, any rotation, flip) onto a
  square canvas padded with black, the circles carried along.
* ``make_closeup_targets``: the detector's centre heatmap and side distances (``acne04.make_targets`` on each
  ring's square) plus a per-cell type target: each lesion's core cells carry its class, each hard negative's
  cells carry ``not_lesion``; ``hard`` marks the hard negatives' cells, whose heat the loss pushes down harder.
* ``decode_rings``: heat peaks as rings (centre, radius, type, score), typed by the type head at the peak cell.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from comedo.detect.decode import decode_centres
from comedo_train.acne04 import make_targets
from comedo_train.detector_geometry import STRIDE
from comedo_train.labelling.vocab import ACNE_TYPES, LOOKALIKES

__all__ = ["TYPE_CLASSES", "LOOKALIKE", "NOT_LESION", "IGNORE", "CloseupSample", "Ring", "type_index",
           "load_closeups", "shades_of_grey", "prepare", "augment_closeup", "make_closeup_targets", "decode_rings"]

TYPE_CLASSES = (*ACNE_TYPES, "lookalike", "not_lesion")
LOOKALIKE = TYPE_CLASSES.index("lookalike")
NOT_LESION = TYPE_CLASSES.index("not_lesion")
IGNORE = -1
UNSURE_WEIGHT = 0.5  # a lesion whose type the labeller marked unsure counts half in the type loss
PAD_MULTIPLE = 32


def type_index(name: str) -> int:
    """The class of a labelled type: an acne type's own, ``LOOKALIKE`` for any look-alike, ``IGNORE`` for unsure."""
    if name in ACNE_TYPES:
        return ACNE_TYPES.index(name)
    if name in LOOKALIKES:
        return LOOKALIKE
    if name == "unsure":
        return IGNORE
    raise ValueError(f"type must be one of {', '.join((*ACNE_TYPES, *LOOKALIKES, 'unsure'))}, got {name!r}")


@dataclass(frozen=True)
class CloseupSample:
    """One labelled photo (or mosaic tile) in memory. Circles are (x, y, r) in the tile's pixels."""

    photo_id: str
    source_folder: str
    rgb: np.ndarray  # (H, W, 3) uint8 RGB
    circles: np.ndarray  # (n, 3) float32
    names: tuple[str, ...]  # (n,) the labelled type names (for scoring)
    types: np.ndarray  # (n,) int64 class of TYPE_CLASSES, or IGNORE
    sure: np.ndarray  # (n,) bool
    negatives: np.ndarray  # (m, 3) float32, dropped candidates


@dataclass(frozen=True)
class Ring:
    """A decoded ring: centre and radius in the photo's pixels, its type (a name of ``TYPE_CLASSES`` but
    ``not_lesion``), the heat score and the type probabilities."""

    x: float
    y: float
    r: float
    type: str
    score: float
    probs: np.ndarray


def load_closeups(coco_path: Path, data: Path, *, sources: tuple[str, ...] | None = None) -> list[CloseupSample]:
    """The photos of ``coco_path`` with status ``ok`` (those whose ``source_folder`` is in ``sources``, when
    given), read from ``data`` once, tiles cut out."""
    coco = json.loads(Path(coco_path).read_text())
    names = {c["id"]: c["name"] for c in coco["categories"]}
    rings: dict[int, list[dict]] = {}
    for a in coco["annotations"]:
        rings.setdefault(a["image_id"], []).append(a)
    negatives: dict[int, list[dict]] = {}
    for n in coco.get("negatives", []):
        negatives.setdefault(n["image_id"], []).append(n)
    out = []
    for image in coco["images"]:
        if image.get("status") != "ok" or (sources is not None and image.get("source_folder") not in sources):
            continue
        path = Path(data) / image["file_name"]
        bgr = cv2.imread(str(path), cv2.IMREAD_COLOR)
        if bgr is None:
            raise FileNotFoundError(f"photo {image.get('photo_id')}: cannot read {path}")
        rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
        if image.get("crop"):
            x0, y0, x1, y1 = (int(v) for v in image["crop"])
            rgb = rgb[y0:y1, x0:x1]
        anns = rings.get(image["id"], [])
        kinds = tuple(names[a["category_id"]] for a in anns)
        out.append(CloseupSample(
            photo_id=image.get("photo_id", str(image["id"])), source_folder=image.get("source_folder", ""),
            rgb=np.ascontiguousarray(rgb),
            circles=np.array([[*a["center"], a["radius"]] for a in anns], np.float32).reshape(-1, 3),
            names=kinds, types=np.array([type_index(k) for k in kinds], np.int64),
            sure=np.array([bool(a.get("sure", True)) for a in anns], bool),
            negatives=np.array([[*n["center"], n["radius"]] for n in negatives.get(image["id"], [])],
                               np.float32).reshape(-1, 3)))
    return out


def shades_of_grey(rgb: np.ndarray, *, p: float = 6.0) -> np.ndarray:
    """Shades of Grey colour constancy: divide each channel by its Minkowski p-norm mean (the estimated
    illuminant, normalised so a grey illuminant changes nothing). Black padding (every channel under 8) is left
    out of the estimate and stays black. (H, W, 3) uint8 in, the same out."""
    x = rgb.astype(np.float32)
    lit = x.max(axis=2) >= 8
    if not lit.any():
        return rgb.copy()
    px = x[lit] / 255.0
    illum = np.power(np.mean(np.power(px, p), axis=0), 1.0 / p)
    illum = np.maximum(illum, 1e-3)
    gain = np.linalg.norm(illum) / (np.sqrt(3.0) * illum)
    return np.clip(x * gain + 0.5, 0, 255).astype(np.uint8)


def prepare(rgb: np.ndarray) -> np.ndarray:
    """What the network sees of a photo at inference: colour constancy, then black padding at the bottom and
    right to a multiple of 32 px (at least 64). (H, W, 3) uint8 -> (H', W', 3) uint8."""
    h, w = rgb.shape[:2]
    ph, pw = max(64, -(-h // PAD_MULTIPLE) * PAD_MULTIPLE), max(64, -(-w // PAD_MULTIPLE) * PAD_MULTIPLE)
    out = np.zeros((ph, pw, 3), np.uint8)
    out[:h, :w] = shades_of_grey(rgb)
    return out


def _camera(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Colour cast, exposure, gamma, saturation, blur, lower resolution and JPEG, each on some views."""
    x = img.astype(np.float32)
    x *= rng.uniform(0.8, 1.2, 3)  # colour cast (mostly undone by colour constancy; the rest is the lesson)
    x = x * rng.uniform(0.75, 1.25) + rng.uniform(-20, 20)
    x = 255.0 * np.power(np.clip(x, 0, 255) / 255.0, rng.uniform(0.75, 1.35))
    grey = x.mean(axis=2, keepdims=True)
    x = grey + (x - grey) * rng.uniform(0.7, 1.3)
    img = np.clip(x + 0.5, 0, 255).astype(np.uint8)
    if rng.random() < 0.3:
        img = cv2.GaussianBlur(img, (0, 0), rng.uniform(0.3, 1.3))
    if rng.random() < 0.25:
        h, w = img.shape[:2]
        f = rng.uniform(0.45, 0.9)
        small = cv2.resize(img, (max(8, int(w * f)), max(8, int(h * f))), interpolation=cv2.INTER_AREA)
        img = cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)
    if rng.random() < 0.5:
        _, buf = cv2.imencode(".jpg", np.ascontiguousarray(img[..., ::-1]),
                              [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(30, 91))])
        img = cv2.imdecode(buf, cv2.IMREAD_COLOR)[..., ::-1]
    return np.ascontiguousarray(img)


def _move(circles: np.ndarray, m: np.ndarray, scale: float) -> np.ndarray:
    """Circles through the affine ``m`` (pixel-index convention of OpenCV: a pixel's centre is at +0.5)."""
    if not len(circles):
        return circles.copy()
    xy = circles[:, :2] - 0.5
    moved = xy @ m[:, :2].T + m[:, 2] + 0.5
    return np.column_stack([moved, circles[:, 2] * scale]).astype(np.float32)


def augment_closeup(sample: CloseupSample, rng: np.random.Generator, crop: int, *,
                    scale_range: tuple[float, float] = (0.75, 1.6), camera: bool = True
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A random view of ``sample`` on a ``crop`` x ``crop`` canvas: camera effects, colour constancy, then one
    warp (log-uniform scale in ``scale_range``, any rotation, a flip half the time) placed at random (half of the
    time over a labelled lesion when the photo outgrows the canvas), black outside the photo. Returns the view
    (crop, crop, 3) uint8, and the circles whose centres land on it with their types, certainty and the hard
    negatives that land on it."""
    img = _camera(sample.rgb, rng) if camera else sample.rgb
    img = shades_of_grey(img)
    h, w = img.shape[:2]
    scale = float(np.exp(rng.uniform(*np.log(scale_range))))
    angle = float(rng.uniform(0, 360))
    m = cv2.getRotationMatrix2D(((w - 1) / 2, (h - 1) / 2), angle, scale)
    if rng.random() < 0.5:  # mirror: x -> -x about the photo's centre, before rotating
        m = m @ np.array([[-1, 0, w - 1], [0, 1, 0], [0, 0, 1]], np.float64)
    rad = np.deg2rad(angle)
    ext_w = scale * (abs(w * np.cos(rad)) + abs(h * np.sin(rad)))
    ext_h = scale * (abs(w * np.sin(rad)) + abs(h * np.cos(rad)))
    centre = m[:, :2] @ np.array([(w - 1) / 2, (h - 1) / 2]) + m[:, 2]
    circles = _move(sample.circles, m, scale)
    target = np.empty(2)
    for axis, ext in enumerate((ext_w, ext_h)):
        lo, hi = sorted((ext / 2 - 0.5, crop - ext / 2 - 0.5))
        target[axis] = rng.uniform(lo, hi)
    if len(circles) and max(ext_w, ext_h) > crop and rng.random() < 0.5:
        pick = circles[rng.integers(len(circles)), :2]  # lands at `spot` when the photo's centre goes to target
        spot = rng.uniform(0.2, 0.8, 2) * crop
        for axis, ext in enumerate((ext_w, ext_h)):
            lo, hi = sorted((ext / 2 - 0.5, crop - ext / 2 - 0.5))
            target[axis] = np.clip(spot[axis] - pick[axis] + centre[axis], lo, hi)
    m[:, 2] += target - centre
    view = cv2.warpAffine(img, m, (crop, crop), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
                          borderValue=(0, 0, 0))
    circles = _move(sample.circles, m, scale)
    negatives = _move(sample.negatives, m, scale)

    def inside(c: np.ndarray) -> np.ndarray:
        return (c[:, 0] >= 0) & (c[:, 0] < crop) & (c[:, 1] >= 0) & (c[:, 1] < crop)

    keep = inside(circles)
    return (np.ascontiguousarray(view), circles[keep], sample.types[keep], sample.sure[keep],
            negatives[inside(negatives)])


def make_closeup_targets(circles: np.ndarray, types: np.ndarray, sure: np.ndarray, negatives: np.ndarray,
                         height: int, width: int) -> dict[str, np.ndarray]:
    """Targets at stride 4 for a view ``height`` x ``width``.

    * ``heat`` (1, h, w), ``ltrb`` (4, h, w), ``weight`` (1, h, w): ``acne04.make_targets`` on each circle's
      square (x - r, y - r, x + r, y + r);
    * ``type_label`` (h, w) int64: on each lesion's core (cells whose centre lies within max(0.6 r, 3 px) of the
      lesion's centre, and the cell holding it) the lesion's class, smaller lesions over larger; on each hard
      negative's core, where no lesion's heat exceeds 0.3, ``NOT_LESION`` (a negative whose centre lies within the
      larger radius of a lesion's is a second ring on that lesion and is skipped); elsewhere ``IGNORE``;
    * ``type_weight`` (h, w) float32: each lesion's or negative's cells sum to 1 (a lesion typed unsure by its
      labeller to ``UNSURE_WEIGHT``; a lesion of type ``IGNORE`` to 0);
    * ``hard`` (1, h, w) float32: 1 on the hard negatives' cores, where the heat loss weighs more.
    """
    circles = np.asarray(circles, np.float32).reshape(-1, 3)
    negatives = np.asarray(negatives, np.float32).reshape(-1, 3)
    boxes = np.column_stack([circles[:, 0] - circles[:, 2], circles[:, 1] - circles[:, 2],
                             circles[:, 0] + circles[:, 2], circles[:, 1] + circles[:, 2]]).astype(np.float32)
    base = make_targets(boxes, height, width)
    gh, gw = height // STRIDE, width // STRIDE
    label = np.full((gh, gw), IGNORE, np.int64)
    tw = np.zeros((gh, gw), np.float32)
    hard = np.zeros((gh, gw), np.float32)
    cx_grid = (np.arange(gw, dtype=np.float32) + 0.5) * STRIDE
    cy_grid = (np.arange(gh, dtype=np.float32) + 0.5) * STRIDE

    def core(x: float, y: float, r: float) -> np.ndarray:
        reach = max(0.6 * r, 3.0)
        mask = (cx_grid[None, :] - x) ** 2 + (cy_grid[:, None] - y) ** 2 <= reach**2
        ix = int(np.clip(round(x / STRIDE - 0.5), 0, gw - 1))  # the heat's peak cell, as make_targets picks it
        iy = int(np.clip(round(y / STRIDE - 0.5), 0, gh - 1))
        mask[iy, ix] = True
        return mask

    for k in np.argsort(-circles[:, 2], kind="stable"):
        x, y, r = circles[k]
        cells = core(x, y, r)
        cls = int(types[k])
        label[cells] = cls
        tw[cells] = 0.0 if cls == IGNORE else (1.0 if sure[k] else UNSURE_WEIGHT) / cells.sum()
    heat = base["heat"][0]
    free = (heat < 0.3) & (tw == 0) & (label == IGNORE)
    for x, y, r in negatives:
        near = np.hypot(circles[:, 0] - x, circles[:, 1] - y) <= np.maximum(circles[:, 2], r)
        if bool(near.any()):
            continue  # a second ring on a labelled lesion (score.py would match it), not background
        cells = core(x, y, r) & free
        if cells.any():
            label[cells] = NOT_LESION
            tw[cells] = 1.0 / cells.sum()
            hard[cells] = 1.0
    return {**base, "type_label": label, "type_weight": tw, "hard": hard[None]}


def decode_rings(heat: np.ndarray, size: np.ndarray, offset: np.ndarray, type_probs: np.ndarray, *,
                 min_score: float, height: int | None = None, width: int | None = None,
                 veto: float = 0.5) -> list[Ring]:
    """Rings from one photo's outputs (``heat`` (h, w), ``size`` and ``offset`` (2, h, w), ``type_probs``
    (len(TYPE_CLASSES), h, w)): heat peaks over ``min_score`` (the package decoder, centres at the heat's
    sub-cell summit), radius a quarter of the box's width plus height, typed by the most likely class other than
    ``not_lesion`` at the peak's cell; a peak whose ``not_lesion`` probability exceeds ``veto`` is dropped, and
    so is one centred outside ``height`` x ``width`` (the padding). Sorted by score, highest first."""
    xyxy, score = decode_centres(heat, size, offset, stride=STRIDE, min_score=min_score, refine_centre=True)
    gh, gw = heat.shape
    out = []
    for box, s in zip(xyxy, score, strict=True):
        cx, cy = float(box[0] + box[2]) / 2, float(box[1] + box[3]) / 2
        if (width is not None and cx >= width) or (height is not None and cy >= height):
            continue
        col = int(np.clip(round(cx / STRIDE - 0.5), 0, gw - 1))
        row = int(np.clip(round(cy / STRIDE - 0.5), 0, gh - 1))
        probs = type_probs[:, row, col]
        if probs[NOT_LESION] > veto:
            continue
        kind = TYPE_CLASSES[int(np.argmax(probs[:NOT_LESION]))]
        r = float(box[2] - box[0] + box[3] - box[1]) / 4
        out.append(Ring(cx, cy, r, kind, float(s), probs.astype(np.float32)))
    return out
