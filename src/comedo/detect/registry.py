"""Detectors by name. Models ship inside the package (``comedo/models``);
nothing is downloaded."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

from comedo.detect.base import LesionDetector
from comedo.errors import InvalidInputError

__all__ = ["get_detector", "available_detectors", "MODELS_DIR"]

MODELS_DIR = Path(str(resources.files("comedo") / "nets" / "weights"))
_DETECTOR_CARD = "lesion_detector.card.json"


def available_detectors() -> list[str]:
    names = ["classical"]
    if (MODELS_DIR / _DETECTOR_CARD).exists():
        names.insert(0, "model")
    return names


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

        card = MODELS_DIR / _DETECTOR_CARD
        if not card.exists():
            raise InvalidInputError("detector 'model' is not installed in this build of comedo")
        return OnnxDetector(card)
    raise InvalidInputError(f"detector must be one of auto, {', '.join(available_detectors())}; got {name!r}")
