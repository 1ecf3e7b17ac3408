"""The description agrees with itself: the type explanations under it are of the types its text names."""

from __future__ import annotations

import comedo


def test_a_wider_view_explains_only_the_types_of_its_lesions(sample_path) -> None:
    a = comedo.analyze(sample_path)
    assert a.scene.view == "wide" and a.photo_type.label is not None  # the whole frame has a type of its own
    explained = {t for t, _ in a.description.lesion_types}
    assert explained == {t for t in a.lesions.type_label.tolist() if t is not None}
