"""The model card every shipped network has: who it is (name, file, sha256) and how to feed it (``inference``).

Each kind of network reads its own typed settings from ``inference`` (``DetectorCard``, ``TypeCard``,
``PhotoFlagCard`` subclass this), so preprocessing is data attached to the weights, not constants at call sites.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from comedo.errors import ModelError

__all__ = ["ModelCard", "parse_card"]

C = TypeVar("C", bound="ModelCard")


@dataclass(frozen=True)
class ModelCard:
    name: str
    file: str
    sha256: str

    @classmethod
    def settings(cls, inference: Mapping[str, Any]) -> dict[str, Any]:
        """The subclass's typed fields from the card's ``inference`` block (none for the bare card)."""
        return {}

    @classmethod
    def read(cls: type[C], path: Path) -> C:
        return parse_card(path, lambda d: cls(name=d["name"], file=d["file"], sha256=d["sha256"],
                                              **cls.settings(d.get("inference", {}))))


T = TypeVar("T")


def parse_card(path: Path, build: Callable[[dict[str, Any]], T]) -> T:
    """A model card built from its JSON file; a missing or malformed card is a ModelError, not a traceback."""
    try:
        return build(json.loads(path.read_text()))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ModelError(f"model card {path} is missing or malformed: {exc}") from exc
