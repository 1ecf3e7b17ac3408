"""The shipped lesion-type classifier, if this build has one."""

from __future__ import annotations

from functools import lru_cache

from comedo.classify.onnx_classifier import OnnxTypeClassifier
from comedo.detect.registry import MODELS_DIR

__all__ = ["get_type_classifier", "TYPE_CARD"]

TYPE_CARD = MODELS_DIR / "lesion_types.card.json"


@lru_cache(maxsize=1)
def get_type_classifier() -> OnnxTypeClassifier | None:
    return OnnxTypeClassifier(TYPE_CARD) if TYPE_CARD.exists() else None
