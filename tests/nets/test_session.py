"""Threads are configuration passed in: the caller's count, else the process default set once, else min(cores, 4)."""

from __future__ import annotations

import os

import pytest

from comedo.files import file_sha256
from comedo.nets import session
from comedo.nets.card import ModelCard
from comedo.nets.registry import card_path


@pytest.fixture
def restore_default():
    yield
    session.set_threads(None)


def test_threads_come_from_the_caller_then_the_process_default(restore_default) -> None:
    card = ModelCard.read(card_path("instrument"))
    onnx = card_path("instrument").parent / card.file
    session.set_threads(3)
    assert session.verified_session(onnx, card.sha256).get_session_options().intra_op_num_threads == 3
    assert session.verified_session(onnx, card.sha256, threads=1).get_session_options().intra_op_num_threads == 1
    session.set_threads(None)
    assert session.session_threads() == min(os.cpu_count() or 1, 4)
    assert file_sha256(onnx) == card.sha256


@pytest.mark.parametrize("bad", [0, -1, 1.5, True, "2"])
def test_threads_must_be_a_positive_integer(bad, restore_default) -> None:
    with pytest.raises(ValueError, match="threads must be a positive integer"):
        session.set_threads(bad)


def test_a_network_beside_another_stage_takes_half_the_cores_by_default(restore_default) -> None:
    full = min(os.cpu_count() or 1, 4)
    assert session.session_threads() == full
    assert session.session_threads(shares_cores=True) == max(1, full // 2)
    session.set_threads(3)  # the process's owner decides: every session takes it
    assert session.session_threads(shares_cores=True) == 3
    assert session.session_threads(2, shares_cores=True) == 2
