from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from comedo.grade import HAYASHI_LABELS, hayashi_grade


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
