"""The one place ONNX Runtime sessions are built: the model file's sha256 is checked against its card first.

Threads: each session uses the count given by its caller, else the process default that the process's owner
sets once with ``set_threads`` (a batch worker: 1; the server: cores / concurrent analyses), else min(cores, 4),
halved for a network that runs while the pipeline's other thread is busy (``OnnxModel.shares_cores``).
Configuration is passed, never read from environment variables deep in the library."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from comedo.errors import ModelError
from comedo.files import file_sha256

__all__ = ["verified_session", "OnnxModel", "set_threads", "session_threads"]

_default_threads: int | None = None


def set_threads(threads: int | None) -> None:
    """Threads for ONNX Runtime sessions built from now on in this process (None: min(cores, 4)).

    Call it before the first analysis: sessions already built keep their count."""
    global _default_threads
    if threads is not None and (isinstance(threads, bool) or not isinstance(threads, int) or threads < 1):
        raise ValueError(f"threads must be a positive integer or None, got {threads!r}")
    _default_threads = threads


def session_threads(threads: int | None = None, *, shares_cores: bool = False) -> int:
    """The caller's count, else the process default, else min(cores, 4): half of it (at least 1) for a session
    that shares the cores with another stage running at the same time."""
    if threads or _default_threads:
        return threads or _default_threads  # type: ignore[return-value]
    full = min(os.cpu_count() or 1, 4)
    return max(1, full // 2) if shares_cores else full


def verified_session(path: Path, sha256: str, *, threads: int | None = None, shares_cores: bool = False) -> Any:
    import onnxruntime as ort

    if not path.exists():
        raise ModelError(f"model file {path} is missing; reinstall comedo")
    actual = file_sha256(path)
    if actual != sha256:
        raise ModelError(f"model file {path} is corrupt: sha256 {actual[:12]}... != {sha256[:12]}...")
    options = ort.SessionOptions()
    options.intra_op_num_threads = session_threads(threads, shares_cores=shares_cores)
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

    # comedo.pipeline runs a chain of stages and a side thread beside it, so most networks run while the other
    # thread is busy: by default they take half the cores (on 2 cores, one thread each: paired runs 5-16 ms faster
    # end to end than two threads each, where the two sessions' threads and the pixel measures contended). The
    # lesion-type network keeps them all: its lesion-crop batch runs on the chain after the side thread is done
    # (a 12 MP photo with 8 lesions typed was 20 ms slower with one thread).
    shares_cores: bool = True

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
                                           threads=self._threads, shares_cores=self.shares_cores)
        return self._built
