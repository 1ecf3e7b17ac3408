"""The shipped lesion-type and photo classifiers, if this build has them."""

from __future__ import annotations

from functools import lru_cache

from comedo.classify.onnx_classifier import OnnxTypeClassifier
from comedo.classify.photo_flag import OnnxPhotoFlag
from comedo.detect.registry import MODELS_DIR

__all__ = ["get_type_classifier", "get_instrument_classifier", "get_close_up_classifier", "TYPE_CARD",
           "INSTRUMENT_CARD", "CLOSE_UP_CARD"]

TYPE_CARD = MODELS_DIR / "lesion_types.card.json"
INSTRUMENT_CARD = MODELS_DIR / "instrument.card.json"
CLOSE_UP_CARD = MODELS_DIR / "close_up.card.json"


@lru_cache(maxsize=1)
def get_type_classifier() -> OnnxTypeClassifier | None:
    return OnnxTypeClassifier(TYPE_CARD) if TYPE_CARD.exists() else None


@lru_cache(maxsize=1)
def get_instrument_classifier() -> OnnxPhotoFlag | None:
    return OnnxPhotoFlag(INSTRUMENT_CARD) if INSTRUMENT_CARD.exists() else None


@lru_cache(maxsize=1)
def get_close_up_classifier() -> OnnxPhotoFlag | None:
    return OnnxPhotoFlag(CLOSE_UP_CARD) if CLOSE_UP_CARD.exists() else None
