"""The size rule for per-lesion nodule and cyst calls (comedo.classify.lesion_types)."""

from __future__ import annotations

import numpy as np
import pytest

from comedo.classify.lesion_types import TYPE_NAMES, deep_type_check, type_summary
from comedo.lesions import Lesions
from comedo.types import Untyped, UntypedCode


def _probs(**scores: float) -> np.ndarray:
    return np.array([scores.get(name, 0.0) for name in TYPE_NAMES], np.float32)


NODULE_OVER_PAPULE = _probs(nodule=0.58, papule=0.30, pustule=0.06, cyst=0.06)


def test_crop_at_close_up_detail_keeps_a_nodule_without_a_scale() -> None:
    assert deep_type_check(NODULE_OVER_PAPULE, None, 400, 160, 0.5) == ("nodule", None)
    assert deep_type_check(NODULE_OVER_PAPULE, None, 160, 160, 0.5) == ("nodule", None)


def test_upsampled_crop_without_a_scale_cannot_call_a_nodule() -> None:
    label, reason = deep_type_check(NODULE_OVER_PAPULE, None, 100, 160, 0.5)
    assert label is None
    assert reason is not None and reason.code is UntypedCode.NEEDS_SCALE and "nodule" in reason.text


def test_a_scale_showing_5_mm_or_more_confirms_it() -> None:
    assert deep_type_check(NODULE_OVER_PAPULE, 7.5, 100, 160, 0.5) == ("nodule", None)
    assert deep_type_check(_probs(cyst=0.7, nodule=0.3), 5.0, 100, 160, 0.5) == ("cyst", None)


def test_under_5_mm_takes_the_next_type() -> None:
    # Without nodule and cyst, papule holds 0.30 of the remaining 0.36.
    assert deep_type_check(NODULE_OVER_PAPULE, 3.9, 400, 160, 0.5) == ("papule", None)


def test_under_5_mm_with_no_clear_runner_up_stays_untyped() -> None:
    label, reason = deep_type_check(_probs(nodule=0.6, papule=0.1, pustule=0.1, open_comedo=0.1, cyst=0.1), 2.0,
                                    400, 160, 0.5)
    assert label is None
    assert reason is not None and reason.code is UntypedCode.UNCERTAIN and "2.0 mm" in reason.text


def test_type_summary_says_in_a_few_words_why_a_lesion_has_no_type() -> None:
    _, reason = deep_type_check(NODULE_OVER_PAPULE, None, 100, 160, 0.5)
    scores = dict(zip(TYPE_NAMES, map(float, NODULE_OVER_PAPULE), strict=True))
    assert type_summary(None, reason, scores) == "nodule? needs a scale"
    assert type_summary("open_comedo", None, scores) == "open comedo"
    assert type_summary(None, Untyped(UntypedCode.TOO_SMALL, "too small to judge (12 px across)"), None) == \
        "too small to judge"
    assert type_summary(None, Untyped(UntypedCode.UNCERTAIN, "uncertain: papule scored 0.41"), scores) == "uncertain"
    assert type_summary(None, None, None) == "-"


def test_photo_decision_names_the_group_where_the_type_is_unsure() -> None:
    from comedo.classify.lesion_types import photo_decision

    # papule 0.40 + pustule 0.35: inflamed for sure, which of the two is not.
    photo = photo_decision(_probs(papule=0.40, pustule=0.35, open_comedo=0.15, nodule=0.10), group_min=0.5,
                           label_min=0.5)
    assert photo.group == "inflamed" and photo.label is None
    assert abs(photo.group_scores["inflamed"] - 0.75) < 1e-6
    sure = photo_decision(_probs(open_comedo=0.7, closed_comedo=0.2, papule=0.1), group_min=0.5, label_min=0.5)
    assert (sure.group, sure.label) == ("comedonal", "open_comedo")


def test_photo_decision_is_unsure_when_no_group_reaches_its_threshold() -> None:
    from comedo.classify.lesion_types import photo_decision

    photo = photo_decision(_probs(open_comedo=0.3, papule=0.35, nodule=0.35), group_min=0.5, label_min=0.5)
    assert photo.group is None and photo.label is None and "unsure" in photo.basis


def test_photo_label_stays_within_the_group_named() -> None:
    from comedo.classify.lesion_types import photo_decision

    # nodule is the single most likely type (0.45) but comedones hold 0.55 together: the label may not cross.
    photo = photo_decision(_probs(nodule=0.45, open_comedo=0.3, closed_comedo=0.25), group_min=0.5, label_min=0.4)
    assert photo.group == "comedonal" and photo.label is None


def _rings(scores: list[list[float]], radii: list[float]) -> Lesions:
    xyxy = np.array([[10, 10, 10 + 2 * r, 10 + 2 * r] for r in radii], np.float32)
    return Lesions(xyxy, np.full(len(radii), 0.8, np.float32)).with_types(
        np.array([TYPE_NAMES[int(np.argmax(s))] for s in scores], object), np.array(scores, np.float32))


def test_ring_types_weigh_by_area() -> None:
    from comedo.classify.lesion_types import ring_type_probabilities

    # Two small open comedones and one papule of twice their radius: the papule's area is 4 of 6.
    mix = ring_type_probabilities(_rings([[1, 0, 0, 0, 0, 0], [1, 0, 0, 0, 0, 0], [0, 0, 1, 0, 0, 0]], [3, 3, 6]))
    np.testing.assert_allclose(mix, [2 / 6, 0, 4 / 6, 0, 0, 0], atol=1e-6)
    assert ring_type_probabilities(_rings([], [])) is None


def test_photo_answer_from_rings_pools_with_the_whole_frame() -> None:
    from comedo.classify.lesion_types import type_photo_from_rings
    from comedo.types import PhotoType

    frame = dict(zip(TYPE_NAMES, [0.5, 0.1, 0.2, 0.1, 0.05, 0.05], strict=True))
    whole = PhotoType(None, frame, "whole_photo: unsure (most likely comedonal, 0.60, under the 0.65 needed)")
    rings = _rings([[0.8, 0.1, 0.05, 0.05, 0, 0]] * 3, [5, 5, 5])
    alone = type_photo_from_rings(whole, rings, whole_frame_weight=1.0, pooling="log_linear")
    assert alone.group is None and alone.lookalike_share == 0.0 and not alone.lookalike_likely
    pooled = type_photo_from_rings(whole, rings, whole_frame_weight=0.5, pooling="log_linear")
    assert pooled.group == "comedonal" and pooled.basis.startswith("rings_and_whole_photo")
    assert pooled.scores["open_comedo"] > 0.66  # surer than the linear mix (0.65) where the two agree
    linear = type_photo_from_rings(whole, rings, whole_frame_weight=0.5, pooling="linear")
    assert linear.scores["open_comedo"] == pytest.approx(0.65, abs=1e-5)
    looks = type_photo_from_rings(whole, rings, lookalike_share=0.6, lookalike_min_share=0.5)
    assert looks.lookalike_likely and looks.lookalike_share == pytest.approx(0.6)
    with pytest.raises(ValueError, match="pooling"):
        type_photo_from_rings(whole, rings, pooling="max")
    untyped = _rings([], [])
    assert type_photo_from_rings(whole, untyped).basis == whole.basis


def test_the_close_up_cards_deep_threshold_decides_deep_likely_with_or_without_rings() -> None:
    """``deep_likely`` given (the close-up card's fitted threshold) replaces the type card's on the pooled answer
    and, with no typed ring, on the whole frame's own deep probability."""
    from comedo.classify.lesion_types import group_probabilities, type_photo_from_rings
    from comedo.types import PhotoType

    probs = [0.3, 0.1, 0.1, 0.1, 0.25, 0.15]  # deep 0.40
    frame = dict(zip(TYPE_NAMES, probs, strict=True))
    groups = dict(zip(("comedonal", "inflamed", "deep"), map(float, group_probabilities(np.array(probs))),
                      strict=True))
    whole = PhotoType(None, frame, "whole_photo", None, groups)
    rings = _rings([[0.1, 0.1, 0.1, 0.1, 0.4, 0.2]] * 2, [6, 6])
    assert type_photo_from_rings(whole, rings, whole_frame_weight=0.5, deep_likely=0.35).deep_likely
    assert not type_photo_from_rings(whole, rings, whole_frame_weight=0.5, deep_likely=0.9).deep_likely
    untyped = _rings([], [])
    assert type_photo_from_rings(whole, untyped, deep_likely=0.35).deep_likely
    assert not type_photo_from_rings(whole, untyped, deep_likely=0.45).deep_likely
    assert type_photo_from_rings(whole, untyped).deep_likely == whole.deep_likely


def test_the_largest_inflamed_ring_may_be_the_deep_lesion_the_whole_frame_reads() -> None:
    """A close-up whose whole frame makes a nodule or cyst likely, with no ring typed one: its largest inflamed ring
    is left untyped as "may be a nodule or cyst"; not a comedone, not under 5 mm by a scale, not without the flag."""
    from comedo.classify.lesion_types import mark_may_be_deep
    from comedo.types import PhotoType

    lesions = _rings([[0.1, 0.1, 0.6, 0.2, 0, 0], [0.1, 0.1, 0.2, 0.6, 0, 0], [0.9, 0.1, 0, 0, 0, 0]], [4, 9, 15])
    lesions = lesions.with_types(np.array(["papule", "pustule", "open_comedo"], object), lesions.type_scores)
    likely = PhotoType(None, None, "whole_photo", "deep", {"comedonal": 0.2, "inflamed": 0.3, "deep": 0.5},
                       True, True)
    marked = mark_may_be_deep(lesions, likely, None)
    assert list(marked.type_label) == ["papule", None, "open_comedo"]  # the 9 px pustule, not the 15 px comedone
    assert marked.type_reason[1].code is UntypedCode.NEEDS_SCALE and "0.50" in marked.type_reason[1].text
    assert type_summary(None, marked.type_reason[1], dict(zip(TYPE_NAMES, marked.type_scores[1]))) == \
        "nodule or cyst? needs a scale"
    assert list(mark_may_be_deep(lesions, likely, 0.1).type_label) == list(lesions.type_label)  # 1.8 mm across
    unlikely = PhotoType(None, None, "whole_photo", "inflamed", {"comedonal": 0.2, "inflamed": 0.6, "deep": 0.2})
    assert mark_may_be_deep(lesions, unlikely, None) is lesions
