"""The one registry of shipped weights: a network is a name here plus its card in ``comedo/nets/weights``.

Nothing is downloaded; a build without a network's card simply does not have it (``installed``)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from comedo.errors import InvalidInputError

__all__ = ["WEIGHTS_DIR", "NETWORKS", "card_path", "installed", "weights_file"]

WEIGHTS_DIR = Path(str(resources.files("comedo") / "nets" / "weights"))

# name -> what it does (the card is ``<name>.card.json``, its ONNX file named in the card).
NETWORKS = {
    "lesion_detector": "finds acne lesions (CenterNet-style heatmap) and carries the count-to-grade model",
    "lesion_types": "names a lesion's or close-up's type (six types, three groups)",
    "closeup_detector": "rings and types the lesions of a close-up (six types, look-alike, not a lesion)",
    "close_up": "tells a close-up of skin from a wider view",
    "instrument": "sees a hand, glove or tool in frame",
    "face_detector": "finds a face and its key points (MediaPipe BlazeFace, converted)",
    "face_mesh": "places 468 face landmarks on a found face (MediaPipe Face Mesh, converted)",
    "iris_landmark": "places the iris (centre and four edge points) in a crop of one eye (MediaPipe Iris, converted)",
}


def card_path(name: str) -> Path:
    if name not in NETWORKS:
        raise InvalidInputError(f"network must be one of {', '.join(NETWORKS)}; got {name!r}")
    return WEIGHTS_DIR / f"{name}.card.json"


def installed(name: str) -> bool:
    return card_path(name).exists()


def weights_file(name: str) -> Path:
    """A non-network weights file shipped beside the networks (the scene regression's ``scene.json``)."""
    return WEIGHTS_DIR / name
