"""Severity scales. Each function is a pure mapping from counts to a grade.

Hayashi et al., "Establishment of grading criteria for acne severity",
J Dermatol 35(5):255-260, 2008: half-face inflammatory-lesion counts
0-5 mild, 6-20 moderate, 21-50 severe, >50 very severe. ACNE04 (Wu et al.,
ICCV 2019) applies the same bands to its per-image lesion counts.
"""

from __future__ import annotations

__all__ = ["hayashi_grade", "HAYASHI_LABELS"]

HAYASHI_LABELS: tuple[str, ...] = ("mild", "moderate", "severe", "very_severe")
_HAYASHI_UPPER = (5, 20, 50)


def hayashi_grade(lesion_count: int) -> int:
    """Hayashi grade 0-3 for a lesion count (0-5 -> 0, 6-20 -> 1, 21-50 -> 2, >50 -> 3)."""
    if lesion_count < 0:
        raise ValueError(f"lesion_count must be >= 0, got {lesion_count}")
    for grade, upper in enumerate(_HAYASHI_UPPER):
        if lesion_count <= upper:
            return grade
    return 3
