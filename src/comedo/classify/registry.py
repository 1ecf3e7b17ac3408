"""The shipped lesion-type and instrument classifiers, if this build has them."""

from __future__ import annotations

from functools import lru_cache

from comedo.classify.instrument import OnnxInstrumentClassifier
from comedo.classify.onnx_classifier import OnnxTypeClassifier
from comedo.detect.registry import MODELS_DIR

__all__ = ["get_type_classifier", "get_instrument_classifier", "TYPE_CARD", "INSTRUMENT_CARD"]

TYPE_CARD = MODELS_DIR / "lesion_types.card.json"
INSTRUMENT_CARD = MODELS_DIR / "instrument.card.json"


@lru_cache(maxsize=1)
def get_type_classifier() -> OnnxTypeClassifier | None:
    return OnnxTypeClassifier(TYPE_CARD) if TYPE_CARD.exists() else None


@lru_cache(maxsize=1)
def get_instrument_classifier() -> OnnxInstrumentClassifier | None:
    return OnnxInstrumentClassifier(INSTRUMENT_CARD) if INSTRUMENT_CARD.exists() else None
