"""Severity scales. Each function is a pure mapping from counts to a grade.

Hayashi et al., "Establishment of grading criteria for acne severity",
J Dermatol 35(5):255-260, 2008: half-face inflammatory-lesion counts
0-5 mild, 6-20 moderate, 21-50 severe, >50 very severe. ACNE04 (Wu et al.,
ICCV 2019) applies the same bands to its per-image lesion counts.

IGA: the 5-point Investigator's Global Assessment of the US FDA guidance
"Acne Vulgaris: Establishing Effectiveness of Drugs Intended for Treatment"
(2018): 0 clear, 1 almost clear (rare non-inflammatory lesions, at most rare
small papules), 2 mild (some non-inflammatory, no more than a few inflammatory
lesions, no nodules), 3 moderate (many non-inflammatory, some inflammatory, at
most one small nodule), 4 severe (more). The guidance is qualitative; our
documented count cut-offs: almost clear = at most 5 non-inflammatory and 2
inflammatory, no nodule/cyst; mild = at most 20 non-inflammatory and 10
inflammatory, no nodule/cyst; moderate = at most 30 inflammatory and 1
nodule/cyst; severe = more. They follow the lesion counts typical of each IGA
grade in acne trials, not a published table.

NICE NG198 (2021) "Acne vulgaris: management", 1.1: mild to moderate acne has
any of: 1 or more non-inflammatory lesions, 1 or more inflammatory papules or
pustules, fewer than 35 inflammatory lesions and fewer than 3 nodules/cysts;
moderate to severe acne has 35 or more inflammatory lesions or 3 or more
nodules or cysts.

Untyped lesions (too small to judge, or no classifier) count as inflammatory on
faces, so the scales err toward the more severe grade; ``TypeCounts.untyped``
says how many they were. The scales are for faces only: a close-up is not graded
(``comedo.grade.severity.grade_severity``), and its untyped lesions are not counted as
inflamed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from comedo.types import LesionGroup, LesionType

__all__ = ["hayashi_grade", "HAYASHI_LABELS", "HAYASHI_UPPER", "TypeCounts", "count_types", "iga_grade", "IGA_LABELS",
           "nice_band", "NICE_BANDS"]

HAYASHI_LABELS: tuple[str, ...] = ("mild", "moderate", "severe", "very_severe")
HAYASHI_UPPER: tuple[int, int, int] = (5, 20, 50)
IGA_LABELS: tuple[str, ...] = ("clear", "almost_clear", "mild", "moderate", "severe")
NICE_BANDS: tuple[str, ...] = ("none", "mild_to_moderate", "moderate_to_severe")


def hayashi_grade(lesion_count: int, upper: tuple[int, int, int] = HAYASHI_UPPER) -> int:
    """Hayashi grade 0-3 for a lesion count (0-5 -> 0, 6-20 -> 1, 21-50 -> 2, >50 -> 3).

    ``upper`` replaces Hayashi's cut-offs (5, 20, 50) when the count comes from a
    detector that under-counts dense faces: its card can carry cut-offs fitted
    on graded photos, so the grade estimates what a full count would give.
    """
    if lesion_count < 0:
        raise ValueError(f"lesion_count must be >= 0, got {lesion_count}")
    if not (0 <= upper[0] < upper[1] < upper[2]):
        raise ValueError(f"cut-offs must increase, got {upper}")
    for grade, limit in enumerate(upper):
        if lesion_count <= limit:
            return grade
    return 3


@dataclass(frozen=True)
class TypeCounts:
    """Lesion counts by clinical group."""

    non_inflammatory: int = 0  # open and closed comedones
    papules_pustules: int = 0  # includes untyped lesions where they count as inflammatory
    nodules_cysts: int = 0
    untyped: int = 0  # lesions with no type, whether or not they are in papules_pustules
    untyped_counted: bool = True  # the untyped are in papules_pustules (faces); False on close-ups

    @property
    def inflammatory(self) -> int:
        return self.papules_pustules + self.nodules_cysts

    @property
    def total(self) -> int:
        return self.non_inflammatory + self.inflammatory + (0 if self.untyped_counted else self.untyped)


def count_types(labels: Iterable[str | None], *, untyped_inflammatory: bool = True) -> TypeCounts:
    """Group lesion type labels (``LesionType`` values or None) into ``TypeCounts``; untyped lesions join the
    papules and pustules when ``untyped_inflammatory`` (faces, so as not to under-grade)."""
    groups = [LesionType.group_of(label) for label in labels]
    untyped = groups.count(None)
    pp = groups.count(LesionGroup.INFLAMED) + (untyped if untyped_inflammatory else 0)
    return TypeCounts(groups.count(LesionGroup.COMEDONAL), pp, groups.count(LesionGroup.DEEP), untyped,
                      untyped_inflammatory)


def iga_grade(counts: TypeCounts) -> int:
    """IGA 0-4 from counts by type (see the module docstring for the cut-offs)."""
    if counts.total == 0:
        return 0
    if counts.nodules_cysts == 0 and counts.inflammatory <= 2 and counts.non_inflammatory <= 5:
        return 1
    if counts.nodules_cysts == 0 and counts.inflammatory <= 10 and counts.non_inflammatory <= 20:
        return 2
    if counts.nodules_cysts <= 1 and counts.inflammatory <= 30:
        return 3
    return 4


def nice_band(counts: TypeCounts) -> str:
    """NICE NG198 band: none, mild_to_moderate, or moderate_to_severe."""
    if counts.total == 0:
        return "none"
    if counts.inflammatory >= 35 or counts.nodules_cysts >= 3:
        return "moderate_to_severe"
    return "mild_to_moderate"
