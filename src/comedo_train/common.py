"""What every training script does first, so runs are repeatable."""

from __future__ import annotations

import random

import numpy as np
import torch

__all__ = ["seed_everything"]


def seed_everything(seed: int, threads: int) -> None:
    """Seed Python, numpy and torch, and fix torch's CPU thread count (results depend on it)."""
    torch.set_num_threads(threads)
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
