"""The grade layer's result: the scales' grades and counts by type for one photo, or why the face scales were not
applied (``comedo.grade.severity.grade_severity`` makes it)."""

from __future__ import annotations

from dataclasses import dataclass, field

from comedo.grade.gags import Gags

__all__ = ["Severity", "NotGraded"]


@dataclass(frozen=True)
class NotGraded:
    """Why the whole-face scales were not applied: a code for programs and a sentence for people."""

    code: str  # "close_up"
    text: str


@dataclass(frozen=True)
class Severity:
    """Hayashi (count), IGA 0-4 and NICE band (counts by type); see ``comedo.grade.scales``.

    The scales are for faces: on a close-up ``hayashi_grade``, ``hayashi_label``, ``iga_grade``, ``iga_label``
    and ``nice_band`` are None and ``not_graded`` says why; the counts by type are still given."""

    hayashi_grade: int | None
    hayashi_label: str | None
    lesion_count: int
    iga_grade: int | None = 0
    iga_label: str | None = "clear"
    nice_band: str | None = "none"
    non_inflammatory: int = 0
    papules_pustules: int = 0
    nodules_cysts: int = 0
    untyped: int = 0  # lesions with no type; counted with papules_pustules on faces, not on close-ups
    not_graded: NotGraded | None = None
    hayashi_upper: tuple[int, int, int] = field(kw_only=True)  # count cut-offs used for the grade
    # Set when the detector's grade model gave the grade (``comedo.grade.model``): the count's own band, the
    # model's four probabilities and its estimate of a full count; None and () when the grade is the count's band.
    hayashi_count_grade: int | None = None
    hayashi_probabilities: tuple[float, ...] = ()
    estimated_lesion_count: int | None = None
    # The detector's heat mass on skin (``comedo.detect.base.Candidates``), which a grade model may read; None
    # for a detector without a heatmap.
    heat_mass: float | None = None
    gags: Gags | None = None  # on a face whose landmarks were found; never on a close-up

    @property
    def hayashi_method(self) -> str:
        """"grade_model" when the detector's grade model gave the grade, else "count"."""
        return "count" if self.hayashi_count_grade is None else "grade_model"

    @property
    def graded(self) -> bool:
        return self.not_graded is None
