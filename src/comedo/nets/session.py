"""The one place ONNX Runtime sessions are built: the model file's sha256 is
checked against its card first, threads come from the caller or $COMEDO_THREADS."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from comedo.errors import ModelError
from comedo.files import file_sha256

__all__ = ["verified_session", "OnnxModel"]


def verified_session(path: Path, sha256: str, *, threads: int | None = None) -> Any:
    import onnxruntime as ort

    if not path.exists():
        raise ModelError(f"model file {path} is missing; reinstall comedo")
    actual = file_sha256(path)
    if actual != sha256:
        raise ModelError(f"model file {path} is corrupt: sha256 {actual[:12]}... != {sha256[:12]}...")
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads or int(os.environ.get("COMEDO_THREADS", "0")) or min(os.cpu_count() or 1, 4)
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    try:
        return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises its own untyped errors
        raise ModelError(f"cannot load model {path}: {exc}") from exc


class OnnxModel:
    """What every shipped ONNX model shares: its card's name and sha256 as its identity, and a session
    built on first use (never at import) after the file's hash is checked."""

    def __init__(self, card_path: Path, card: Any, *, threads: int | None = None) -> None:
        self.card_path = card_path
        self.card = card
        self._threads = threads
        self._built: Any = None

    @property
    def identity(self) -> dict[str, str]:
        return {"name": self.card.name, "sha256": self.card.sha256}

    @property
    def _session(self) -> Any:
        if self._built is None:
            self._built = verified_session(self.card_path.parent / self.card.file, self.card.sha256,
                                           threads=self._threads)
        return self._built
