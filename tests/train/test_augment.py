"""The type classifier's training views (needs the train extra, torch; skipped without it)."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("torch")

from comedo_train.type_augment import augment, camera_effects  # noqa: E402


def test_camera_effects_keep_the_photo_but_change_its_pixels() -> None:
    rng = np.random.default_rng(0)
    yy, xx = np.mgrid[0:160, 0:160]
    img = np.stack([xx, yy, (xx + yy) // 2], axis=2).astype(np.uint8)  # smooth gradients: JPEG keeps them
    changed = 0
    for _ in range(20):
        out = camera_effects(img, rng)
        assert out.shape == img.shape and out.dtype == np.uint8
        assert np.abs(out.astype(int) - img).mean() < 25  # the same photo, not noise
        changed += int(not np.array_equal(out, img))
    assert changed >= 15  # each effect is drawn for about half the views; all three miss one view in eight


def test_training_views_have_the_network_input_side() -> None:
    rng = np.random.default_rng(1)
    img = np.random.default_rng(2).integers(0, 255, (192, 192, 3), dtype=np.uint8)
    for camera in (False, True):
        assert augment(img, rng, 160, 0.7, camera).shape == (160, 160, 3)
