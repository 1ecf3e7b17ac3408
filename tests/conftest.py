from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

SAMPLE = Path(__file__).parents[1] / "src" / "comedo" / "samples" / "face_acne04.jpg"


@pytest.fixture(scope="session")
def sample_path() -> Path:
    return SAMPLE
