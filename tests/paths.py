"""Where the tests find the repository and their own data, wherever a test file sits in the tree."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TEST_DATA = REPO / "tests" / "data"
SAMPLE = REPO / "src" / "comedo" / "samples" / "face_acne04.jpg"
