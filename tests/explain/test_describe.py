"""The description agrees with itself and with the verdict: the type explanations under it are of the types its
text names, and its per-lesion redness is the red rings the advice reads."""

from __future__ import annotations

import comedo
from comedo.explain.findings import red_rings
from comedo.explain.reasons import numbers_text
from comedo.types import IrritationGrade


def test_a_wider_view_explains_only_the_types_of_its_lesions(sample_path) -> None:
    a = comedo.analyze(sample_path)
    # On a mapped face the whole frame's type is not applied (it reads deep on a quarter of clean faces): the
    # scores stay, the label does not (issue 32).
    assert a.scene.view == "wide" and a.photo_type.label is None and a.photo_type.scores
    assert a.photo_type.basis.startswith("not applied")
    explained = {t for t, _ in a.description.lesion_types}
    assert explained == {t for t in a.lesions.type_label.tolist() if t is not None}


def test_the_sample_s_red_rings_agree_with_the_description_and_the_advice(sample_path) -> None:
    """Issue 32: 'redness around 17 spots' beside a description of the largest spot as no redder than the skin."""
    a = comedo.analyze(sample_path)
    ringed = [i + 1 for i, red in enumerate(red_rings(a.lesions, close_up=False)) if red]  # as the advice reads
    assert ringed, "the sample has lesions with a red ring"
    by_ring = [x.number for x in a.report.extraction.lesions if x.code == "lesion_red_ring"]
    assert set(by_ring) <= set(ringed)
    assert f"{len(ringed)} of the {len(a.lesions)} lesions have a red ring" in a.description.text
    assert numbers_text(ringed) in a.description.text
    assert not any("spots" in why for why in a.report.extraction.why)


def test_a_red_ring_is_the_halo_on_a_close_up_and_either_measure_on_a_wider_view() -> None:
    """A whitehead's pink bump (disc red, halo calm) has no red ring on a close-up, where the ring covers the bump;
    on a wider view the few-pixel disc takes in the skin around it, so it counts; a document without halos reads
    the disc alone."""
    import numpy as np

    from comedo.lesions import Lesions

    boxes = np.array([[0, 0, 10, 10], [20, 0, 30, 10], [40, 0, 50, 10]], np.float32)
    lesions = Lesions(boxes, np.full(3, 0.9, np.float32),
                      irritation=np.array([IrritationGrade.MODERATE, IrritationGrade.NONE, IrritationGrade.NONE],
                                          object),
                      halo_delta_a=np.array([0.5, 6.0, 1.0], np.float32))
    assert red_rings(lesions, close_up=True) == [False, True, False]
    assert red_rings(lesions, close_up=False) == [True, True, False]
    older = Lesions(boxes, np.full(3, 0.9, np.float32), irritation=lesions.irritation)
    assert red_rings(older, close_up=True) == [True, False, False]
