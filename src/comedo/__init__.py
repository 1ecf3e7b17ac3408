"""comedo: measure what a skin photo shows (acne lesions, dark spots, redness) offline.

Public API: ``analyze``, ``load_image``, the result types and the errors.
Heavy modules load on first use so ``import comedo`` stays fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from comedo.errors import (
    ComedoError,
    ImageTooLargeError,
    InvalidInputError,
    ModelError,
    NoSkinError,
    StoreError,
)

__version__ = "0.11.0"
__all__ = [
    "analyze", "triage_report", "parse_answers", "load_answers", "Answers", "load_image", "to_document", "Analysis",
    "SkinImage", "Lesions", "DarkSpots",
    "ComedoError", "InvalidInputError", "ImageTooLargeError", "NoSkinError", "ModelError", "StoreError",
    "__version__",
]

_LAZY = {
    "analyze": ("comedo.pipeline", "analyze"),
    "triage_report": ("comedo.pipeline", "triage_report"),
    "parse_answers": ("comedo.explain.answers", "parse_answers"),
    "load_answers": ("comedo.explain.answers", "load_answers"),
    "Answers": ("comedo.explain.answers", "Answers"),
    "load_image": ("comedo.io", "load_image"),
    "to_document": ("comedo.schema", "to_document"),
    "Analysis": ("comedo.analysis", "Analysis"),
    "SkinImage": ("comedo.types", "SkinImage"),
    "Lesions": ("comedo.lesions", "Lesions"),
    "DarkSpots": ("comedo.types", "DarkSpots"),
}

if TYPE_CHECKING:
    from comedo.analysis import Analysis
    from comedo.explain.answers import Answers, load_answers, parse_answers
    from comedo.io import load_image
    from comedo.lesions import Lesions
    from comedo.pipeline import analyze, triage_report
    from comedo.schema import to_document
    from comedo.types import DarkSpots, SkinImage


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        value = getattr(importlib.import_module(module), attr)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'comedo' has no attribute {name!r}")
