"""Severity from the lesions found: the Hayashi band (or the detector's grade model), IGA and the NICE band on a
face; on a close-up only the counts by type, with the reason the face scales are not applied."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from comedo.grade.model import CountGradeModel
from comedo.grade.result import NotGraded, Severity
from comedo.grade.scales import (
    HAYASHI_LABELS,
    HAYASHI_UPPER,
    IGA_LABELS,
    count_types,
    hayashi_grade,
    iga_grade,
    nice_band,
)
from comedo.lesions import Lesions

__all__ = ["NOT_GRADED_SHORT", "not_graded_short", "grade_severity", "CLOSE_UP_NOT_GRADED"]

CLOSE_UP_NOT_GRADED = NotGraded(
    "close_up", "Not graded: Hayashi, IGA and NICE grade acne over a whole face, and a close-up shows only a small "
    "patch of skin, so its lesions are listed and typed instead.")
# The reason in a few words, for one-line summaries, legends and cards.
NOT_GRADED_SHORT = {"close_up": "close-up: not graded", "no_colour": "no colour: not graded"}


def not_graded_short(severity: Severity) -> str:
    """Why a severity is not graded, in a few words ("close-up: not graded")."""
    code = getattr(severity.not_graded, "code", "close_up")
    return NOT_GRADED_SHORT.get(code, "not graded")
NO_COLOUR_NOT_GRADED = NotGraded(
    "no_colour", "Not graded: the photo has no colour (black and white, or a filter), and comedo finds skin, "
    "lesions and redness by their colour, so finding no lesions here does not mean there are none.")


def grade_severity(lesions: Lesions, hayashi_upper: tuple[int, int, int] = HAYASHI_UPPER,
                   grade_model: CountGradeModel | None = None, candidate_scores: np.ndarray | None = None,
                   heat_mass: float | None = None, *, close_up: bool = False, no_colour: bool = False) -> Severity:
    """All severity scales from the lesions and their types (untyped count as inflammatory).

    The Hayashi grade is the count's band (``hayashi_upper``: the detector's count cut-offs), or, when the
    detector has a ``grade_model``, that model's reading of ``candidate_scores`` (the scores of every
    candidate down to the model's floor, not only the lesions listed) and of the detector's ``heat_mass``,
    which is kept in the severity whether a model reads it or not. A ``close_up`` is not graded (the scales
    count lesions over a face): its counts by type are given, with untyped lesions not counted as inflamed. A
    photo with ``no_colour`` is not graded either: a grade from what a colour model could not see would read as
    clear skin."""
    mass = None if heat_mass is None else round(float(heat_mass), 3)
    counts = count_types(lesions.type_label.tolist(), untyped_inflammatory=not close_up)
    if close_up or no_colour:
        why = NO_COLOUR_NOT_GRADED if no_colour else CLOSE_UP_NOT_GRADED
        return Severity(None, None, len(lesions), None, None, None, counts.non_inflammatory, counts.papules_pustules,
                        counts.nodules_cysts, counts.untyped, why, hayashi_upper=tuple(hayashi_upper), heat_mass=mass)
    count_grade = hayashi_grade(len(lesions), hayashi_upper)
    iga = iga_grade(counts)
    severity = Severity(count_grade, HAYASHI_LABELS[count_grade], len(lesions), iga, IGA_LABELS[iga],
                        nice_band(counts), counts.non_inflammatory, counts.papules_pustules, counts.nodules_cysts,
                        counts.untyped, hayashi_upper=tuple(hayashi_upper), heat_mass=mass)
    if grade_model is None or candidate_scores is None or not grade_model.can_grade(heat_mass) or not len(lesions):
        # graded by the count: no model, not the evidence it reads, or no lesion listed (a face that reads "no acne
        # lesions seen" is not graded moderate from faint candidates nobody can point at)
        return severity
    grade, probabilities = grade_model.grade(candidate_scores, heat_mass)
    return replace(severity, hayashi_grade=grade, hayashi_label=HAYASHI_LABELS[grade], hayashi_count_grade=count_grade,
                   hayashi_probabilities=tuple(round(float(p), 4) for p in probabilities),
                   estimated_lesion_count=grade_model.estimated_count(candidate_scores, heat_mass))
