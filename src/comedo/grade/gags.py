"""The Global Acne Grading System (Doshi, Zaheer & Stiller, Int J Dermatol 1997) over the face's zones.

Each zone's factor (forehead 2, each cheek 2, nose 1, chin 1; chest and upper back 3, which a face photo does not
show) times its worst lesion (comedone 1, papule 2, pustule 3, nodule 4; a cyst counts as a nodule), summed:
1-18 mild, 19-30 moderate, 31-38 severe, 39 and over very severe; 0 is clear. A face photo can reach 32.
Lesions whose type could not be judged count as papules (2), and the result says how many did. A zone the photo
shows only partly (cut by the frame or foreshortened: ``comedo.face.zones.FaceZones.partly_seen``) is scored on
what shows, a lower bound, and the score is partial: finding nothing there is not "clear".

A zone whose only lesions barely clear the detector's count threshold counts in part (``gags_score``'s ``scores``):
each lesion's evidence rises linearly from 0 at the count threshold to 1 at the detector card's ``gags_full_score``
(the score from which its listed lesions match labelled ones at its precision plateau, fitted on ACNE04 train), the
zone's evidence is the chance it holds at least one lesion, 1 - prod(1 - evidence_i), and its term is
factor x worst points x that evidence, rounded. A lesion at the threshold is then worth the same whether it is just
over it (listed) or just under (not): a re-taken photo of unchanged skin no longer gains or loses a whole cheek's
4 points on one doubtful lesion. Zones with a clear lesion score as the scale defines.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["Gags", "GagsTerm", "gags_score", "lesion_evidence", "ZONE_FACTORS", "LESION_POINTS", "gags_label"]

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
    term: int  # factor x points x evidence, rounded
    # 1 - prod(1 - e_i) over the zone's lesions (gags_score's scores); 1 without scores. Not in the JSON document,
    # where a term under factor x points shows it.
    evidence: float = 1.0


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
        weak = [t.zone.replace("_", " ") for t in self.terms if t.term < t.factor * t.points]  # as the JSON shows
        if weak:
            parts.append(f"counted in part, as their lesions barely clear the detector's threshold: {', '.join(weak)}")
        if self.untyped_counted_as_papules:
            n = self.untyped_counted_as_papules
            parts.append(f"{n} lesion{'s' if n != 1 else ''} whose type could not be judged counted as papules")
        return "; ".join(parts) + "."


def gags_label(score: int) -> str:
    return next((label for upper, label in BANDS if score <= upper), "very_severe")


def lesion_evidence(scores: Sequence[float] | np.ndarray, *, count_threshold: float,
                    full_score: float) -> np.ndarray:
    """(n,) float64 in [0, 1]: how far each lesion's detector score clears ``count_threshold`` (0 at it or below),
    as a share of the margin up to ``full_score`` (1 from there on); all 1 when ``full_score`` is not above the
    threshold (a lesion listed at a stricter threshold is clear). A lesion without a score (NaN) counts fully."""
    s = np.asarray(scores, np.float64).reshape(-1)
    if not full_score > count_threshold:
        return np.ones(len(s))
    e = np.clip((s - count_threshold) / (full_score - count_threshold), 0.0, 1.0)
    return np.where(np.isnan(e), 1.0, e)


def gags_score(zones: Sequence[str | None], types: Sequence[str | None], visible: Mapping[str, bool],
               partly_seen: Sequence[str] = (), *, scores: Sequence[float] | np.ndarray | None = None,
               count_threshold: float | None = None, full_score: float | None = None) -> Gags:
    """GAGS from each lesion's zone and type; ``visible`` says which zones the photo shows and ``partly_seen``
    which of those it shows only in part.

    With ``scores`` (the detector's, one per lesion), ``count_threshold`` (the score lesions were listed at) and
    ``full_score`` (the detector card's ``gags_full_score``), a zone whose lesions all score within the margin
    between the two counts in part (``lesion_evidence``, the module's docstring); without them every listed lesion
    counts fully, the scale as published."""
    n = len(zones)
    if len(types) != n:
        raise ValueError(f"gags_score: types must have one value per lesion ({n}), got {len(types)}")
    if scores is None:
        evidence = np.ones(n)
    else:
        if count_threshold is None or full_score is None:
            raise ValueError("gags_score: scores need count_threshold and full_score, got "
                             f"count_threshold={count_threshold!r}, full_score={full_score!r}")
        if len(scores) != n:
            raise ValueError(f"gags_score: scores must have one value per lesion ({n}), got {len(scores)}")
        evidence = lesion_evidence(scores, count_threshold=count_threshold, full_score=full_score)
    terms = []
    untyped = 0
    for zone, factor in ZONE_FACTORS.items():
        seen = visible.get(zone, False)
        idx = [i for i, z in enumerate(zones) if z == zone] if seen else []
        in_zone = [types[i] for i in idx]
        points = [LESION_POINTS[t] if t is not None else UNTYPED_POINTS for t in in_zone]
        worst_points = max(points, default=0)
        worst = None
        zone_evidence = 1.0
        if in_zone:
            worst_i = points.index(worst_points)
            worst = in_zone[worst_i] or "untyped"
            untyped += sum(t is None for t in in_zone)
            zone_evidence = 1.0 - float(np.prod(1.0 - evidence[idx]))
        term = math.floor(factor * worst_points * zone_evidence + 0.5)
        terms.append(GagsTerm(zone, factor, seen, len(in_zone), worst, worst_points, term, round(zone_evidence, 3)))
    score = sum(t.term for t in terms)
    partly = tuple(t.zone for t in terms if t.visible and t.zone in partly_seen)
    return Gags(score, gags_label(score), tuple(terms), untyped, tuple(t.zone for t in terms if not t.visible),
                partly_seen=partly)
