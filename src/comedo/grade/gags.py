"""The Global Acne Grading System (Doshi, Zaheer & Stiller, Int J Dermatol 1997) over the face's zones.

Each zone's factor (forehead 2, each cheek 2, nose 1, chin 1; chest and upper back 3, which a face photo does not
show) times its worst lesion (comedone 1, papule 2, pustule 3, nodule 4; a cyst counts as a nodule), summed:
1-18 mild, 19-30 moderate, 31-38 severe, 39 and over very severe; 0 is clear. A face photo can reach 32.
Lesions whose type could not be judged count as papules (2), and the result says how many did. A zone the photo
shows only partly (cut by the frame or foreshortened: ``comedo.face.zones.FaceZones.partly_seen``) is scored on
what shows, a lower bound, and the score is partial: finding nothing there is not "clear".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

__all__ = ["Gags", "GagsTerm", "gags_score", "ZONE_FACTORS", "LESION_POINTS", "gags_label"]

ZONE_FACTORS = {"forehead": 2, "right_cheek": 2, "left_cheek": 2, "nose": 1, "chin": 1}
NOT_SCORED = ("chest", "upper_back")
LESION_POINTS = {"open_comedo": 1, "closed_comedo": 1, "papule": 2, "pustule": 3, "nodule": 4, "cyst": 4}
UNTYPED_POINTS = 2
BANDS = ((0, "clear"), (18, "mild"), (30, "moderate"), (38, "severe"))


@dataclass(frozen=True)
class GagsTerm:
    zone: str
    factor: int
    visible: bool
    lesions: int
    worst: str | None  # the worst lesion's type, "untyped", or None when the zone is clear or not visible
    points: int  # 0-4
    term: int  # factor x points


@dataclass(frozen=True)
class Gags:
    score: int
    label: str
    terms: tuple[GagsTerm, ...]
    untyped_counted_as_papules: int
    not_visible: tuple[str, ...]
    not_scored: tuple[str, ...] = NOT_SCORED
    partly_seen: tuple[str, ...] = ()  # visible zones only partly in view: scored on what shows, a lower bound

    @property
    def partial(self) -> bool:
        """A zone is hidden or partly out of view: the score covers only what the photo shows."""
        return bool(self.not_visible or self.partly_seen)

    @property
    def text(self) -> str:
        partial = ", partial" if self.partial else ""
        parts = [f"GAGS {self.score} ({self.label.replace('_', ' ')}{partial}) over the face's zones; the chest and "
                 "upper back are not in the photo and are not scored"]
        if self.not_visible:
            parts.append(f"partial: not visible, so not scored: "
                         f"{', '.join(z.replace('_', ' ') for z in self.not_visible)}")
        if self.partly_seen:
            parts.append(f"partial: partly out of view, scored on what shows: "
                         f"{', '.join(z.replace('_', ' ') for z in self.partly_seen)}")
        if self.untyped_counted_as_papules:
            n = self.untyped_counted_as_papules
            parts.append(f"{n} lesion{'s' if n != 1 else ''} whose type could not be judged counted as papules")
        return "; ".join(parts) + "."


def gags_label(score: int) -> str:
    return next((label for upper, label in BANDS if score <= upper), "very_severe")


def gags_score(zones: Sequence[str | None], types: Sequence[str | None], visible: Mapping[str, bool],
               partly_seen: Sequence[str] = ()) -> Gags:
    """GAGS from each lesion's zone and type; ``visible`` says which zones the photo shows and ``partly_seen``
    which of those it shows only in part."""
    terms = []
    untyped = 0
    for zone, factor in ZONE_FACTORS.items():
        seen = visible.get(zone, False)
        in_zone = [t for z, t in zip(zones, types, strict=True) if z == zone] if seen else []
        points = [LESION_POINTS[t] if t is not None else UNTYPED_POINTS for t in in_zone]
        worst_points = max(points, default=0)
        worst = None
        if in_zone:
            worst_i = points.index(worst_points)
            worst = in_zone[worst_i] or "untyped"
            untyped += sum(t is None for t in in_zone)
        terms.append(GagsTerm(zone, factor, seen, len(in_zone), worst, worst_points, factor * worst_points))
    score = sum(t.term for t in terms)
    partly = tuple(t.zone for t in terms if t.visible and t.zone in partly_seen)
    return Gags(score, gags_label(score), tuple(terms), untyped, tuple(t.zone for t in terms if not t.visible),
                partly_seen=partly)
