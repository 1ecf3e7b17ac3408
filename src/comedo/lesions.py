"""``Lesions``: every fact about each lesion, as validated columns (like ``supervision.Detections``).

One row per lesion, in the pixels of the oriented photo. Each per-lesion fact the stages find (type, why it is
untyped, where it came from, a dark core, its redness) is a column here, so slicing, merging and serialising keep
them together and no consumer needs ``if i < len(...)`` guards.
"""

from __future__ import annotations

from dataclasses import KW_ONLY, dataclass, fields
from typing import Any

import numpy as np

from comedo.types import IrritationGrade, LesionType, Untyped

__all__ = ["Lesions", "COLUMNS"]

N_TYPES = len(LesionType)


@dataclass(frozen=True)
class Column:
    dtype: Any
    trailing: tuple[int, ...]
    fill: object
    what: str


# name -> how it is stored and what it means; a column left out gets its fill value.
COLUMNS: dict[str, Column] = {
    "score": Column(np.float32, (), 0.0, "detector confidence 0..1"),
    "type_label": Column(object, (), None, "a LesionType value string, or None when untyped"),
    "type_scores": Column(np.float32, (N_TYPES,), np.nan, "probabilities in LesionType order (NaN: untyped)"),
    "type_reason": Column(object, (), None, "Untyped: why there is no type (None when typed)"),
    "origin": Column(object, (), "detector", "'detector', or 'dark_plug' (a blackhead's plug, comedo.detect.plugs)"),
    "dark_core": Column(bool, (), False, "a dark dot (an open comedo's opening) lies inside it"),
    "redness_delta_a": Column(np.float32, (), np.nan, "mean a* over the lesion minus the person's own baseline"),
    "irritation": Column(object, (), IrritationGrade.NONE, "IrritationGrade of redness_delta_a"),
    "halo_delta_a": Column(np.float32, (), np.nan, "mean a* in the ring one to two radii around the lesion minus "
                           "the baseline (comedo.measure.redness.halo_delta_a; NaN: not measured)"),
    "zone": Column(object, (), None, "the face zone it lies in (comedo.face.zones), None where no face was mapped"),
    "in_danger_triangle": Column(bool, (), False, "it lies in the face's danger triangle, as drawn from the mesh"),
    "diameter_px": Column(np.float32, (), np.nan, "the lesion's own equivalent diameter (comedo.measure.lesion_size; "
                          "NaN: not measured, the ring's 2 * radius stands for it)"),
    "size_source": Column(object, (), "ring", "'segmented' (diameter_px from the lesion's own extent) or 'ring'"),
}


@dataclass(frozen=True, eq=False)
class Lesions:
    """Columnar lesions: ``xyxy`` (n, 4) float32 boxes plus the ``COLUMNS`` (n, ...) arrays.

    A column of another length is an error, not silently replaced; type labels are checked against
    ``LesionType`` (and kept as its value strings, as they go into JSON), reasons are ``Untyped``.
    """

    xyxy: np.ndarray
    score: np.ndarray | None = None
    _: KW_ONLY  # every other column by name
    type_label: np.ndarray | None = None
    type_scores: np.ndarray | None = None
    type_reason: np.ndarray | None = None
    origin: np.ndarray | None = None
    dark_core: np.ndarray | None = None
    redness_delta_a: np.ndarray | None = None
    irritation: np.ndarray | None = None
    halo_delta_a: np.ndarray | None = None
    zone: np.ndarray | None = None
    in_danger_triangle: np.ndarray | None = None
    diameter_px: np.ndarray | None = None
    size_source: np.ndarray | None = None

    def __post_init__(self) -> None:
        xyxy = np.asarray(self.xyxy, np.float32)
        if xyxy.size == 0:
            xyxy = xyxy.reshape(0, 4)
        if xyxy.ndim != 2 or xyxy.shape[1] != 4:
            raise ValueError(f"xyxy must be (n, 4), got shape {xyxy.shape}")
        object.__setattr__(self, "xyxy", xyxy)
        n = len(xyxy)
        for name, spec in COLUMNS.items():
            shape = (n, *spec.trailing)
            value = getattr(self, name)
            if value is None:
                array = np.empty(shape, spec.dtype)
                array.fill(spec.fill)  # (np.full would turn a str-Enum fill into a cut string)
            else:
                array = np.asarray(value, spec.dtype)
                if array.size == 0 and n == 0:
                    array = array.reshape(shape)
                if array.shape != shape:
                    raise ValueError(f"{name} has shape {array.shape} for {n} boxes; expected {shape}")
            if name == "type_label":
                array = np.array([None if v is None else LesionType(v).value for v in array], object).reshape(shape)
            elif name == "irritation":
                array = np.array([IrritationGrade(v) for v in array], object).reshape(shape)
            elif name == "size_source" and any(v not in ("segmented", "ring") for v in array):
                raise ValueError("size_source must hold 'segmented' or 'ring'")
            elif name == "type_reason" and any(v is not None and not isinstance(v, Untyped) for v in array):
                raise ValueError("type_reason must hold Untyped values or None")
            object.__setattr__(self, name, array)

    @classmethod
    def empty(cls) -> Lesions:
        return cls(np.zeros((0, 4), np.float32))

    def columns(self) -> dict[str, np.ndarray]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def with_columns(self, **columns: np.ndarray) -> Lesions:
        """A copy with these columns replaced (each of length n)."""
        unknown = set(columns) - set(COLUMNS) - {"xyxy"}
        if unknown:
            raise ValueError(f"unknown lesion columns: {', '.join(sorted(unknown))}")
        return Lesions(**{**self.columns(), **columns})

    def __len__(self) -> int:
        return len(self.xyxy)

    def __getitem__(self, index: np.ndarray | slice) -> Lesions:
        return Lesions(**{name: value[index] for name, value in self.columns().items()})

    @classmethod
    def concatenate(cls, parts: list[Lesions]) -> Lesions:
        if not parts:
            return cls.empty()
        return cls(**{f.name: np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(cls)})

    @property
    def centers(self) -> np.ndarray:
        """(n, 2) float32 (x, y) box centres."""
        return ((self.xyxy[:, :2] + self.xyxy[:, 2:]) / 2).astype(np.float32)

    @property
    def radii(self) -> np.ndarray:
        """(n,) float32: half the mean of box width and height."""
        wh = self.xyxy[:, 2:] - self.xyxy[:, :2]
        return (wh.mean(axis=1) / 2).astype(np.float32)

    @property
    def diameters(self) -> np.ndarray:
        """(n,) float32: each lesion's measured diameter (``diameter_px``), the ring's ``2 * radii`` where none."""
        return np.where(np.isfinite(self.diameter_px), self.diameter_px, 2 * self.radii).astype(np.float32)

    def scaled(self, factor: float) -> Lesions:
        """A copy with coordinates and sizes multiplied by ``factor`` (resolution change)."""
        return self.with_columns(xyxy=self.xyxy * np.float32(factor), diameter_px=self.diameter_px * np.float32(factor))

    def clipped(self, width: int, height: int) -> Lesions:
        """A copy with boxes clipped to an image of ``width`` x ``height``."""
        xyxy = self.xyxy.copy()
        xyxy[:, [0, 2]] = xyxy[:, [0, 2]].clip(0, width)
        xyxy[:, [1, 3]] = xyxy[:, [1, 3]].clip(0, height)
        return self.with_columns(xyxy=xyxy)

    def with_types(self, type_label: np.ndarray, type_scores: np.ndarray,
                   type_reason: np.ndarray | None = None) -> Lesions:
        """A copy with these types (and why the untyped ones are untyped)."""
        return self.with_columns(type_label=type_label, type_scores=type_scores,
                                 type_reason=np.full(len(self), None, object) if type_reason is None
                                 else np.array(type_reason, object))
