"""The close-up detector's numpy side: decoding hand-made outputs, the preprocessing its card describes."""

from __future__ import annotations

import numpy as np
import pytest

from comedo.detect.closeup import CloseupCard, decode_closeup, prepare_closeup, rings_as_lesions, shades_of_grey

CLASSES = ("open_comedo", "closed_comedo", "papule", "pustule", "nodule", "cyst", "lookalike", "not_lesion")
CARD = CloseupCard(name="test", file="none.onnx", sha256="0" * 64, type_classes=CLASSES, input_long_side=128)


def _outputs(h: int = 16, w: int = 16) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Stride-4 outputs of a 64 x 64 input with three peaks: a papule at cell (row 4, col 5), box 12 x 8 px; a
    look-alike at (10, 10), box 8 x 8; a not-a-lesion at (12, 2); the types elsewhere flat."""
    heat = np.full((h, w), 0.01, np.float32)
    size = np.full((2, h, w), 6.0, np.float32)
    offset = np.full((2, h, w), 0.5, np.float32)
    probs = np.full((len(CLASSES), h, w), 1 / len(CLASSES), np.float32)
    for (row, col), score, cls, (bw, bh) in (((4, 5), 0.9, 2, (12.0, 8.0)), ((10, 10), 0.6, 6, (8.0, 8.0)),
                                             ((12, 2), 0.8, 7, (6.0, 6.0))):
        heat[row, col] = score
        size[:, row, col] = (bw, bh)
        probs[:, row, col] = 0.02
        probs[cls, row, col] = 1 - 0.02 * (len(CLASSES) - 1)
    return heat, size, offset, probs


def test_decode_finds_the_peaks_types_them_and_vetoes_not_a_lesion():
    heat, size, offset, probs = _outputs()
    xyxy, score, p = decode_closeup(heat, size, offset, probs, stride=4, min_score=0.3, not_lesion=7, veto=0.5)
    assert score.tolist() == pytest.approx([0.9, 0.6])  # the not-a-lesion peak (0.8) is gone
    # A lone peak has no slope around it in log-heat that is not symmetric: its summit is the cell's centre.
    np.testing.assert_allclose(xyxy[0], [(5.5 * 4) - 6, (4.5 * 4) - 4, (5.5 * 4) + 6, (4.5 * 4) + 4])
    np.testing.assert_allclose(xyxy[1], [42 - 4, 42 - 4, 42 + 4, 42 + 4])
    assert p.shape == (2, len(CLASSES))
    assert int(np.argmax(p[0])) == 2 and int(np.argmax(p[1])) == 6


def test_decode_keeps_not_a_lesion_under_the_veto_and_drops_padding():
    heat, size, offset, probs = _outputs()
    _, score, _ = decode_closeup(heat, size, offset, probs, stride=4, min_score=0.3, not_lesion=7, veto=0.95)
    assert score.tolist() == pytest.approx([0.9, 0.8, 0.6])
    _, score, _ = decode_closeup(heat, size, offset, probs, stride=4, min_score=0.3, not_lesion=7, veto=0.5,
                                 height=64, width=32)  # the look-alike's centre (42, 42) is in the padding
    assert score.tolist() == pytest.approx([0.9])


def test_decode_nothing_is_a_well_shaped_empty_result():
    heat, size, offset, probs = _outputs()
    xyxy, score, p = decode_closeup(heat * 0, size, offset, probs, stride=4, min_score=0.3, not_lesion=7, veto=0.5)
    assert xyxy.shape == (0, 4) and score.shape == (0,) and p.shape == (0, len(CLASSES))
    rings = rings_as_lesions(xyxy, score, p, CARD)
    assert len(rings.lesions) == 0 and len(rings.lookalikes) == 0 and rings.lookalike_share == 0.0


def test_decode_refuses_type_maps_of_another_grid():
    heat, size, offset, probs = _outputs()
    with pytest.raises(ValueError, match="type_probs"):
        decode_closeup(heat, size, offset, probs[:, :8], stride=4, min_score=0.3, not_lesion=7, veto=0.5)


def test_rings_split_acne_from_lookalikes_with_six_type_scores():
    heat, size, offset, probs = _outputs()
    rings = rings_as_lesions(*decode_closeup(heat, size, offset, probs, stride=4, min_score=0.3, not_lesion=7,
                                             veto=0.5), CARD)
    assert rings.lesions.type_label.tolist() == ["papule"]
    assert rings.lesions.type_scores.shape == (1, 6)
    assert float(rings.lesions.type_scores.sum()) == pytest.approx(1.0)
    assert len(rings.lookalikes) == 1 and rings.lookalike_share == pytest.approx(0.5)
    assert rings.lesions.radii.tolist() == pytest.approx([5.0])  # (12 + 8) / 4


def test_shades_of_grey_removes_a_colour_cast_and_keeps_grey():
    grey = np.full((8, 8, 3), 120, np.uint8)
    np.testing.assert_array_equal(shades_of_grey(grey), grey)
    cast = grey.astype(np.float32) * np.array([1.2, 1.0, 0.8])
    out = shades_of_grey(cast.astype(np.uint8)).astype(int)
    assert np.ptp(out[0, 0]) <= 1  # the channels are equal again


def test_shades_of_grey_matches_the_training_code():
    training = pytest.importorskip("comedo_train.closeup_data")
    rng = np.random.default_rng(3)
    rgb = rng.integers(0, 256, (20, 30, 3), dtype=np.uint8)
    rgb[:5] = 0  # padding is left out of the estimate in both
    np.testing.assert_array_equal(shades_of_grey(rgb), training.shades_of_grey(rgb))


def test_prepare_shrinks_large_photos_pads_with_black_and_keeps_small_ones():
    big = np.full((300, 200, 3), 150, np.uint8)
    x, factor, (nh, nw) = prepare_closeup(big, CARD)
    assert factor == pytest.approx(128 / 300) and (nh, nw) == (128, 85)
    assert x.shape == (1, 3, 128, 96) and x.dtype == np.float32
    assert float(x[0, :, :, 85:].max()) == 0.0 and float(x[0, :, :nh, :nw].min()) > 0
    small = np.full((40, 50, 3), 150, np.uint8)
    x, factor, inside = prepare_closeup(small, CARD)
    assert factor == 1.0 and inside == (40, 50) and x.shape == (1, 3, 64, 64)


def test_a_faint_lookalike_ring_alone_does_not_make_the_photo_a_lookalike():
    """A photo "may not be acne" only where a look-alike ring is more likely a lesion than not (heat 0.5): one faint
    ring on a plain cheek (0.35-0.41) gives a share of 0."""
    import numpy as np

    from comedo.detect.closeup import CloseupRings
    from comedo.lesions import Lesions

    box = np.array([[10, 10, 20, 20]], np.float32)
    faint = CloseupRings(Lesions.empty(), Lesions(box, np.array([0.38], np.float32)))
    sure = CloseupRings(Lesions.empty(), Lesions(box, np.array([0.62], np.float32)))
    assert faint.lookalike_share == 0.0 and sure.lookalike_share == 1.0
