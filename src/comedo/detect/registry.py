"""Detectors by name: the shipped network (``lesion_detector`` in ``comedo.nets.registry``) or the classical
baseline. Nothing is downloaded."""

from __future__ import annotations

from functools import lru_cache

from comedo.detect.base import LesionDetector
from comedo.errors import InvalidInputError
from comedo.nets.registry import card_path, installed

__all__ = ["get_detector", "available_detectors"]


def available_detectors() -> list[str]:
    return ["model", "classical"] if installed("lesion_detector") else ["classical"]


@lru_cache(maxsize=4)
def get_detector(name: str = "auto") -> LesionDetector:
    """``"model"`` (the shipped ONNX detector), ``"classical"`` (the baseline), or
    ``"auto"``: the model when it is installed, else the baseline."""
    if name == "auto":
        name = available_detectors()[0]
    if name == "classical":
        from comedo.detect.classical import ClassicalDetector

        return ClassicalDetector()
    if name == "model":
        from comedo.detect.onnx_detector import OnnxDetector

        if not installed("lesion_detector"):
            raise InvalidInputError("detector 'model' is not installed in this build of comedo")
        return OnnxDetector(card_path("lesion_detector"))
    raise InvalidInputError(f"detector must be one of auto, {', '.join(available_detectors())}; got {name!r}")
