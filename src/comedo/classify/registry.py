"""The shipped lesion-type and photo classifiers, if this build has them (names in ``comedo.nets.registry``)."""

from __future__ import annotations

from functools import lru_cache

from comedo.classify.onnx_classifier import OnnxTypeClassifier
from comedo.classify.photo_flag import OnnxPhotoFlag
from comedo.nets.registry import card_path, installed

__all__ = ["get_type_classifier", "get_instrument_classifier", "get_close_up_classifier"]


@lru_cache(maxsize=1)
def get_type_classifier() -> OnnxTypeClassifier | None:
    return OnnxTypeClassifier(card_path("lesion_types")) if installed("lesion_types") else None


@lru_cache(maxsize=1)
def get_instrument_classifier() -> OnnxPhotoFlag | None:
    return OnnxPhotoFlag(card_path("instrument")) if installed("instrument") else None


@lru_cache(maxsize=1)
def get_close_up_classifier() -> OnnxPhotoFlag | None:
    return OnnxPhotoFlag(card_path("close_up")) if installed("close_up") else None
