"""Face zones, the danger triangle and the parts left out of redness, drawn from the 468-point face mesh.

Zones follow the Global Acne Grading System's facial regions (Doshi et al., 1997): forehead, the two cheeks (the
subject's left and right: MediaPipe's landmark numbers are anatomical, so a normal photo shows the subject's right
cheek on the image's left), nose and chin; the rest of the face (upper lip, temples, around the eyes) is "other".
Polygons are lists of MediaPipe Face Mesh landmark numbers (the canonical topology of
``mediapipe/python/solutions/face_mesh_connections.py``), checked by eye on drawn meshes.

A zone is visible when the face turns towards the camera enough for it: a cheek seen edge-on (a side view) is
foreshortened to a sliver and is reported as not visible, not as clear. Between the two, a zone's ``coverage`` says
how much of it the photo shows: the share of its drawn outline inside the frame, times, for a cheek, its area over
the other cheek's (at most 1; a cheek turned away is foreshortened). Under ``PARTIAL_COVERAGE`` it is partly seen,
so finding nothing there is not "clear" (GAGS says partial).

A lesion belongs to the zone holding most of its disc, not the zone under its centre alone, so a lesion on a
border does not change zones when the face turns a little (issue 33).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from comedo.face.mesh import FaceMesh

__all__ = ["ZONE_NAMES", "FaceZones", "face_zones", "DANGER_TRIANGLE", "danger_triangle", "zone_of_points",
           "PARTIAL_COVERAGE"]

ZONE_NAMES = ("forehead", "right_cheek", "left_cheek", "nose", "chin")

# The forehead's upper edge is the mesh's own top (landmark 10 lies mid-forehead): extended upwards from the
# brow line by this factor, then cut to the skin mask so hair falls out.
FOREHEAD_EXTENSION = 1.6
_FOREHEAD_ARC = (162, 21, 54, 103, 67, 109, 10, 338, 297, 332, 284, 251, 389)
_BROWS_UPPER = (300, 293, 334, 296, 336, 9, 107, 66, 105, 63, 70)  # the subject's left brow first
POLYGONS: dict[str, tuple[int, ...]] = {
    "nose": (168, 417, 437, 420, 429, 358, 327, 326, 2, 97, 98, 129, 209, 198, 217, 193),
    "chin": (61, 146, 91, 181, 84, 17, 314, 405, 321, 375, 291, 394, 379, 378, 400, 377, 152, 148, 176, 149, 150,
             169),
    "right_cheek": (127, 234, 93, 132, 58, 172, 136, 150, 169, 61, 92, 206, 203, 129, 209, 198, 217, 128, 121, 120,
                    119, 118, 117, 111, 143),
    "left_cheek": (356, 454, 323, 361, 288, 397, 365, 379, 394, 291, 322, 426, 423, 358, 429, 420, 437, 357, 350,
                   349, 348, 347, 346, 340, 372),
}
FACE_OVAL = (10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377, 152, 148, 176,
             149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109)
DANGER_TRIANGLE = (168, 61, 291)  # the nasal bridge and the corners of the mouth: where the triangle starts
# What the triangle must hold (the area drained by the facial and angular veins): the nose along its bridge, its
# tip and wings, and both nasolabial folds (the cheek polygons' inner edges, from the wing to the mouth corner).
# On a three-quarter view the tip and the near fold project outside the plain nasion-mouth-corner triangle, so its
# sides are widened until they hold them.
DANGER_TRIANGLE_HOLDS = (6, 197, 195, 5, 4, 1, 2, 98, 327, 64, 294, 129, 358, 48, 278, 92, 206, 203, 322, 426, 423)
TRIANGLE_MARGIN_DEG = 3.0
# Left out of redness: the lips, the eyes, the brows and the nostrils are red or dark for reasons other than skin.
EXCLUDED = {
    "lips": (61, 185, 40, 39, 37, 0, 267, 269, 270, 409, 291, 375, 321, 405, 314, 17, 84, 181, 91, 146),
    "right_eye": (33, 246, 161, 160, 159, 158, 157, 173, 133, 155, 154, 153, 145, 144, 163, 7),
    "left_eye": (263, 466, 388, 387, 386, 385, 384, 398, 362, 382, 381, 380, 374, 373, 390, 249),
    "right_brow": (70, 63, 105, 66, 107, 55, 65, 52, 53, 46),
    "left_brow": (300, 293, 334, 296, 336, 285, 295, 282, 283, 276),
    "nostrils": (129, 64, 98, 97, 2, 326, 327, 294, 358, 279, 278, 4, 48, 49),
}
# A cheek whose drawn area is under this share of the other's is turned away from the camera.
MIN_CHEEK_AREA_RATIO = 0.35
# A visible zone with less than this share in view (``FaceZones.coverage``) is partly seen: three quarters, a stated
# rule (not fitted), halfway between whole and the cheek's not-visible cut.
PARTIAL_COVERAGE = 0.75


@dataclass(frozen=True)
class FaceZones:
    """Zone masks (bool, the photo grid they were drawn on) and polygons, with what is visible."""

    masks: dict[str, np.ndarray]
    polygons: dict[str, np.ndarray]  # name -> (k, 2) float32 photo pixels
    visible: dict[str, bool]
    excluded: np.ndarray  # bool: lips, eyes, brows, nostrils
    triangle: np.ndarray  # (3, 2) float32: the apex on the nasion, then the two base corners (``danger_triangle``)
    coverage: dict[str, float] = field(default_factory=dict)  # 0..1 of each zone in view (``face_zones``)

    @property
    def partly_seen(self) -> tuple[str, ...]:
        """Visible zones with under ``PARTIAL_COVERAGE`` of them in view."""
        return tuple(n for n in ZONE_NAMES if self.visible.get(n, False)
                     and self.coverage.get(n, 1.0) < PARTIAL_COVERAGE)

    def skin_of_face(self, skin: np.ndarray, *, margin_px: int = 0) -> np.ndarray:
        """The ``skin`` in the face's zones (forehead, cheeks, nose, chin; not the upper lip's stubble, the temples or
        around the eyes) and outside the lips, eyes, brows and nostrils (grown by ``margin_px``, so a dot on their
        edge is theirs): where a dark dot can be a pore or a blackhead's opening, rather than stubble, an ear,
        clothes, a lip line or lashes."""
        zones = np.logical_or.reduce(list(self.masks.values()))
        excluded = self.excluded
        if margin_px > 0:
            k = 2 * margin_px + 1
            excluded = cv2.dilate(excluded.astype(np.uint8), cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
        return skin & zones & ~excluded.astype(bool)

    @property
    def areas_px(self) -> dict[str, int]:
        return {name: int(mask.sum()) for name, mask in self.masks.items()}


def _forehead(points: np.ndarray) -> np.ndarray:
    brows = points[list(_BROWS_UPPER), :2]
    arc = points[list(_FOREHEAD_ARC), :2]
    base = brows.mean(axis=0)
    up = arc[len(arc) // 2] - base  # from the brow line to landmark 10
    up_unit = up / max(float(np.linalg.norm(up)), 1e-6)
    heights = (arc - base) @ up_unit
    extended = arc + np.outer(heights * (FOREHEAD_EXTENSION - 1), up_unit)
    return np.concatenate([extended, brows]).astype(np.float32)


def _fill(polygon: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    mask = np.zeros(shape, np.uint8)
    cv2.fillPoly(mask, [np.round(polygon).astype(np.int32)], 1)
    return mask.astype(bool)


def _signed_area(polygon: np.ndarray) -> float:
    x, y = polygon[:, 0], polygon[:, 1]
    return 0.5 * float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))


def face_zones(face: FaceMesh, skin: np.ndarray) -> FaceZones:
    """Zones on the ``skin`` mask's grid (the face must be in the same pixels), each cut to the skin, and which are
    visible: a zone needs a tenth of its drawn area on skin in the photo, and a cheek turned away (foreshortened to
    under ``MIN_CHEEK_AREA_RATIO`` of the other) is not visible."""
    shape = skin.shape
    pts = face.points
    polygons = {"forehead": _forehead(pts)}
    polygons.update({name: pts[list(idx), :2].astype(np.float32) for name, idx in POLYGONS.items()})
    drawn = {name: _fill(poly, shape) for name, poly in polygons.items()}
    # Earlier zones keep overlapping pixels: the nose over the cheeks, the chin over the cheeks.
    order = ("nose", "chin", "forehead", "right_cheek", "left_cheek")
    taken = np.zeros(shape, bool)
    masks: dict[str, np.ndarray] = {}
    for name in order:
        masks[name] = drawn[name] & ~taken & skin
        taken |= drawn[name]
    excluded = np.zeros(shape, bool)
    for idx in EXCLUDED.values():
        excluded |= _fill(pts[list(idx), :2], shape)
    excluded = cv2.dilate(excluded.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    for name in masks:
        masks[name] &= ~excluded
    area = {name: abs(_signed_area(poly)) for name, poly in polygons.items()}
    visible = {name: bool(masks[name].sum() >= 0.1 * max(area[name], 1.0)) for name in ZONE_NAMES}
    cheeks = area["right_cheek"], area["left_cheek"]
    coverage = {name: in_frame(polygons[name], shape) for name in ZONE_NAMES}
    for name, own, other in (("right_cheek", *cheeks), ("left_cheek", cheeks[1], cheeks[0])):
        if own < MIN_CHEEK_AREA_RATIO * other:
            visible[name] = False
        coverage[name] *= min(1.0, own / max(other, 1.0))
    triangle = danger_triangle(pts)
    return FaceZones({n: masks[n] for n in ZONE_NAMES}, {n: polygons[n] for n in ZONE_NAMES}, visible, excluded,
                     triangle, {n: round(coverage[n], 3) for n in ZONE_NAMES})


def in_frame(polygon: np.ndarray, shape: tuple[int, int]) -> float:
    """The share (0..1) of ``polygon``'s area ((k, 2) pixels) inside a frame of ``shape`` (rows, columns)."""
    h, w = shape
    full = abs(_signed_area(polygon))
    if full < 1.0:
        return 0.0
    inside = _clip_to_frame(polygon.astype(np.float64), w, h)
    return float(min(1.0, abs(_signed_area(inside)) / full)) if len(inside) >= 3 else 0.0


def _clip_to_frame(polygon: np.ndarray, width: int, height: int) -> np.ndarray:
    """Sutherland-Hodgman clipping of a (k, 2) polygon to [0, width] x [0, height] (the frame is convex, so any
    polygon clips exactly)."""
    out = polygon
    for axis, bound, keep_below in ((0, 0.0, False), (0, float(width), True), (1, 0.0, False),
                                    (1, float(height), True)):
        if len(out) == 0:
            break
        points, nxt = [], np.roll(out, -1, axis=0)
        for a, b in zip(out, nxt, strict=True):
            a_in = a[axis] <= bound if keep_below else a[axis] >= bound
            b_in = b[axis] <= bound if keep_below else b[axis] >= bound
            if a_in:
                points.append(a)
            if a_in != b_in:
                t = (bound - a[axis]) / (b[axis] - a[axis])
                points.append(a + t * (b - a))
        out = np.array(points, np.float64).reshape(-1, 2)
    return out


def danger_triangle(points: np.ndarray) -> np.ndarray:
    """The danger triangle's three corners, (3, 2) float32 in the landmarks' pixels: its apex on the nasion
    (landmark 168), its base along the line through the mouth corners (lowered, parallel, to below the lowest point
    it must hold), its sides turned out from the apex (by ``TRIANGLE_MARGIN_DEG`` beyond the outermost) until it
    holds the nose tip, wings and both nasolabial folds (``DANGER_TRIANGLE_HOLDS``). On a frontal face that is the
    nasion-mouth-corner triangle, a little wider; on a turned face it follows the nose."""
    pts = points[:, :2].astype(np.float64)
    apex = pts[DANGER_TRIANGLE[0]]
    left, right = pts[DANGER_TRIANGLE[1]], pts[DANGER_TRIANGLE[2]]
    base = right - left
    u = np.array([-base[1], base[0]]) / max(float(np.linalg.norm(base)), 1e-6)  # normal to the mouth line
    if (left - apex) @ u < 0:
        u = -u  # pointing from the apex towards the mouth
    depth = float((left - apex) @ u)
    if depth < 1e-3 * max(float(np.linalg.norm(base)), 1.0):  # a degenerate mesh: the landmarks as they are
        return pts[list(DANGER_TRIANGLE)].astype(np.float32)
    across_unit = np.array([-u[1], u[0]])
    held = np.concatenate([pts[[DANGER_TRIANGLE[1], DANGER_TRIANGLE[2]]], pts[list(DANGER_TRIANGLE_HOLDS)]]) - apex
    along, across = held @ u, held @ across_unit
    angles = np.arctan2(across, np.maximum(along, 1e-6))
    margin = np.radians(TRIANGLE_MARGIN_DEG)
    limit = np.radians(75)  # a mesh folded over itself stays a triangle
    low = max(float(angles.min()) - margin, -limit)
    high = min(float(angles.max()) + margin, limit)
    depth = max(depth, float(along.max())) * 1.02
    corners = [apex + depth * (u + np.tan(a) * across_unit) for a in (low, high)]
    return np.array([apex, *corners], np.float32)


def zone_of_points(zones: FaceZones, points: np.ndarray,
                   radii: np.ndarray | None = None) -> tuple[list[str], np.ndarray]:
    """Each point's zone ('other' where none: the upper lip, temples, around the eyes) and whether it lies in the
    danger triangle. Points are (n, 2) in the zones' grid; a pixel in no mask is placed by the drawn polygons, so
    a lesion on a pixel the skin mask missed still gets its zone. With ``radii`` ((n,), the lesions' radii in the
    same pixels) each point takes the zone holding most of its disc's pixels in the frame (on a tie, the one under
    the centre), so a lesion on a border keeps its zone when the face turns a little."""
    h, w = next(iter(zones.masks.values())).shape
    labels = np.zeros((h, w), np.uint8)  # 0 'other', i + 1 ZONE_NAMES[i]: the masks, else the drawn polygons
    for i in reversed(range(len(ZONE_NAMES))):  # earlier zones win where polygons overlap
        cv2.fillPoly(labels, [np.round(zones.polygons[ZONE_NAMES[i]]).astype(np.int32)], i + 1)
    for i, name in enumerate(ZONE_NAMES):
        labels[zones.masks[name]] = i + 1
    lookup = ("other", *ZONE_NAMES)
    names: list[str] = []
    for k, (x, y) in enumerate(points):
        xi, yi = int(min(max(x, 0), w - 1)), int(min(max(y, 0), h - 1))
        label = int(labels[yi, xi])
        r = 0.0 if radii is None else float(radii[k])
        if r >= 1.0:
            x0, x1 = max(0, int(np.floor(x - r))), min(w, int(np.ceil(x + r)) + 1)
            y0, y1 = max(0, int(np.floor(y - r))), min(h, int(np.ceil(y + r)) + 1)
            if x1 > x0 and y1 > y0:
                yy, xx = np.mgrid[y0:y1, x0:x1]
                disc = (xx - x) ** 2 + (yy - y) ** 2 <= r * r
                counts = np.bincount(labels[y0:y1, x0:x1][disc], minlength=len(lookup))
                if counts.sum() and counts.max() > counts[label]:
                    label = int(counts.argmax())
        names.append(lookup[label])
    tri = zones.triangle.reshape(-1, 1, 2)
    inside = np.array([cv2.pointPolygonTest(tri, (float(x), float(y)), False) >= 0 for x, y in points], bool)
    return names, inside
