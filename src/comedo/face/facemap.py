"""``map_face``: the face stage of an analysis, the landmarks and zones of a wider view, or why there are none.

Runs on the analysis copy of the photo (its zones share the skin mask's grid) and only on wider views: a close-up
shows a patch of skin, not a face, so it is never mapped (and never given face-zone scores).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from comedo.face.mesh import FaceMesh, find_face, mesh_available
from comedo.face.zones import ZONE_NAMES, FaceZones, face_zones, zone_of_points

__all__ = ["FaceMap", "map_face", "NO_FACE_REASONS", "zone_redness"]

NO_FACE_REASONS = {
    "close_up": "Not mapped: a close-up shows a patch of skin, not a face.",
    "no_face": "No face was found (the face map needs a frontal or three-quarter view with the eyes, nose and "
               "mouth in frame): zones, GAGS and the danger triangle are not given from the photo.",
    "not_installed": "This build has no face networks.",
}


@dataclass(frozen=True, eq=False)
class FaceMap:
    """The face found on the analysis grid (``mesh``, ``zones``), or ``reason`` (a ``NO_FACE_REASONS`` key)."""

    mesh: FaceMesh | None
    zones: FaceZones | None
    reason: str | None = None
    rotation: int = 0  # quarter turns the photo needed before the face was upright (0 for most photos)
    # Per zone, measured once by the pipeline (``with_measures``) so a document read back keeps them as written:
    # skin area in pixels of the oriented photo, and the 90th percentile of Delta a*.
    areas_px: dict[str, int] | None = None
    redness_p90: dict[str, float | None] | None = None

    def with_measures(self, delta_map: np.ndarray, photo_per_grid: float) -> FaceMap:
        """A copy with each zone's area (in photo pixels; ``photo_per_grid`` is the photo's pixels per analysis-grid
        pixel) and redness, from the redness stage's ``delta_map``."""
        if self.zones is None:
            return self
        areas = {name: int(round(a * photo_per_grid ** 2)) for name, a in self.zones.areas_px.items()}
        return replace(self, areas_px=areas, redness_p90=zone_redness(self, delta_map))

    @property
    def found(self) -> bool:
        return self.mesh is not None

    @property
    def visible(self) -> dict[str, bool]:
        return {} if self.zones is None else dict(self.zones.visible)

    @property
    def coverage(self) -> dict[str, float]:
        """Each zone's share in view, 0..1 (``FaceZones.coverage``)."""
        return {} if self.zones is None else dict(self.zones.coverage)

    @property
    def partly_seen(self) -> tuple[str, ...]:
        return () if self.zones is None else self.zones.partly_seen

    def locate(self, points: np.ndarray, radii: np.ndarray | None = None) -> tuple[list[str | None], np.ndarray]:
        """Each analysis-grid point's zone (with ``radii``, the zone holding most of its disc) and whether it lies
        in the danger triangle (None and False without a face)."""
        if self.zones is None:
            return [None] * len(points), np.zeros(len(points), bool)
        names, inside = zone_of_points(self.zones, points, radii)
        return list(names), inside


def map_face(rgb: np.ndarray, skin: np.ndarray, *, close_up: bool) -> FaceMap:
    """The face map of an analysis copy ``rgb`` with its ``skin`` mask. A photo sideways or upside down (no EXIF
    orientation, or a rotated copy) is tried turned by quarter turns when the upright search finds no face."""
    if close_up:
        return FaceMap(None, None, "close_up")
    if not mesh_available():
        return FaceMap(None, None, "not_installed")
    for k in range(4):
        view = rgb if k == 0 else np.ascontiguousarray(np.rot90(rgb, k))
        mesh = find_face(view)
        if mesh is None:
            continue
        if k:
            mesh = _unrotate(mesh, k, rgb.shape[1], rgb.shape[0])
        return FaceMap(mesh, face_zones(mesh, skin), rotation=k)
    return FaceMap(None, None, "no_face")


def _unrotate(mesh: FaceMesh, k: int, width: int, height: int) -> FaceMesh:
    """Landmarks found on ``np.rot90(photo, k)`` in the photo's own pixels (``width`` x ``height``)."""
    pts = mesh.points.copy()
    x, y = pts[:, 0].copy(), pts[:, 1].copy()
    if k == 1:  # rot90 once (counter-clockwise): turned (u, v) came from (width - 1 - v, u)
        pts[:, 0], pts[:, 1] = width - 1 - y, x
    elif k == 2:
        pts[:, 0], pts[:, 1] = width - 1 - x, height - 1 - y
    else:  # k == 3: turned (u, v) came from (v, height - 1 - u)
        pts[:, 0], pts[:, 1] = y, height - 1 - x
    return FaceMesh(pts, mesh.detection_score, mesh.presence)


def zone_redness(face: FaceMap, delta_map: np.ndarray) -> dict[str, float | None]:
    """Each zone's 90th percentile of Delta a* (the redness map, lips and other anatomy already left out); None
    for a zone not visible (a foreshortened cheek's few pixels are its edge, not its skin) or with under 20
    measured pixels."""
    if face.zones is None or delta_map.shape != next(iter(face.zones.masks.values())).shape:
        return {}
    out: dict[str, float | None] = {}
    sub = delta_map[::2, ::2]  # every other row and column, as the redness stage's own statistics
    for name in ZONE_NAMES:
        if not face.zones.visible.get(name, True):
            out[name] = None
            continue
        values = sub[face.zones.masks[name][::2, ::2]]
        values = values[np.isfinite(values)]
        out[name] = float(np.percentile(values, 90)) if values.size >= 20 else None
    return out
