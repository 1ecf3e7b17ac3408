from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from comedo.grade.scales import HAYASHI_LABELS, hayashi_grade


@pytest.mark.parametrize(("count", "grade"), [(0, 0), (5, 0), (6, 1), (20, 1), (21, 2), (50, 2), (51, 3), (400, 3)])
def test_hayashi_bands(count: int, grade: int) -> None:
    assert hayashi_grade(count) == grade
    assert HAYASHI_LABELS[grade]


@given(st.integers(0, 1000), st.integers(0, 50))
def test_more_lesions_never_lower_the_grade(count: int, extra: int) -> None:
    assert hayashi_grade(count + extra) >= hayashi_grade(count)


def test_negative_count_is_rejected() -> None:
    with pytest.raises(ValueError, match="lesion_count"):
        hayashi_grade(-1)


from comedo.grade.scales import (  # noqa: E402
    IGA_LABELS,
    TypeCounts,
    count_types,
    iga_grade,
    nice_band,
)


@pytest.mark.parametrize(("counts", "iga"), [
    (TypeCounts(0, 0, 0), 0),
    (TypeCounts(5, 2, 0), 1),
    (TypeCounts(6, 0, 0), 2),
    (TypeCounts(3, 3, 0), 2),
    (TypeCounts(20, 10, 0), 2),
    (TypeCounts(21, 0, 0), 3),
    (TypeCounts(0, 11, 0), 3),
    (TypeCounts(0, 1, 1), 3),
    (TypeCounts(50, 29, 1), 3),
    (TypeCounts(0, 31, 0), 4),
    (TypeCounts(0, 0, 2), 4),
])
def test_iga_bands(counts: TypeCounts, iga: int) -> None:
    assert iga_grade(counts) == iga and IGA_LABELS[iga]


@pytest.mark.parametrize(("counts", "band"), [
    (TypeCounts(0, 0, 0), "none"),
    (TypeCounts(1, 0, 0), "mild_to_moderate"),
    (TypeCounts(0, 34, 0), "mild_to_moderate"),
    (TypeCounts(0, 33, 2), "moderate_to_severe"),  # 35 inflammatory in all
    (TypeCounts(0, 35, 0), "moderate_to_severe"),
    (TypeCounts(0, 0, 3), "moderate_to_severe"),
    (TypeCounts(100, 0, 2), "mild_to_moderate"),
])
def test_nice_bands(counts: TypeCounts, band: str) -> None:
    assert nice_band(counts) == band


def test_untyped_lesions_count_as_inflammatory() -> None:
    assert count_types(["open_comedo", None, "cyst", "papule", "closed_comedo"]) == TypeCounts(2, 2, 1, untyped=1)


def test_untyped_lesions_on_a_close_up_are_not_inflamed_but_are_counted() -> None:
    counts = count_types(["open_comedo", None, None, "papule"], untyped_inflammatory=False)
    assert (counts.non_inflammatory, counts.papules_pustules, counts.nodules_cysts, counts.untyped) == (1, 1, 0, 2)
    assert counts.inflammatory == 1 and counts.total == 4


def test_type_groups_live_on_the_enum() -> None:
    from comedo.types import LesionGroup, LesionType

    assert LesionGroup.COMEDONAL.members == (LesionType.OPEN_COMEDO, LesionType.CLOSED_COMEDO)
    assert LesionType.PUSTULE.group is LesionGroup.INFLAMED and LesionType.CYST.group is LesionGroup.DEEP
    assert LesionType.group_of(None) is None and LesionType.group_of("nodule") is LesionGroup.DEEP


_counts = st.builds(TypeCounts, st.integers(0, 80), st.integers(0, 80), st.integers(0, 6))


@given(_counts, st.sampled_from(["non_inflammatory", "papules_pustules", "nodules_cysts"]))
def test_adding_a_lesion_never_lowers_iga_or_nice(counts: TypeCounts, field: str) -> None:
    from dataclasses import replace

    more = replace(counts, **{field: getattr(counts, field) + 1})
    assert iga_grade(more) >= iga_grade(counts)
    assert nice_band(more) == "moderate_to_severe" or nice_band(counts) != "moderate_to_severe"


def test_hayashi_with_fitted_cutoffs() -> None:
    assert hayashi_grade(19) == 1
    assert hayashi_grade(19, (5, 18, 46)) == 2
    assert hayashi_grade(47, (5, 18, 46)) == 3
    with pytest.raises(ValueError, match="increase"):
        hayashi_grade(3, (5, 50, 20))


def test_fitted_cutoffs_undo_an_undercount_and_are_cross_validated() -> None:
    from comedo.workflows.evaluate import fit_hayashi_cutoffs

    rng = np.random.default_rng(0)
    grades = rng.integers(0, 4, 400)
    true_counts = np.array([3, 12, 35, 75])[grades] * rng.uniform(0.8, 1.2, 400)
    counts = (true_counts * np.where(true_counts > 40, 0.6, 1.0)).astype(int)  # dense faces under-counted
    fit = fit_hayashi_cutoffs(counts, grades)
    assert fit["fitted"][2] < 50  # the top cut-off moves down to meet the under-count
    assert fit["cv_accuracy"] > fit["hayashi_accuracy"] + 0.05 and fit["ship"]
    honest = fit_hayashi_cutoffs(true_counts.astype(int), grades)  # nothing to correct: Hayashi is kept
    assert not honest["ship"]
