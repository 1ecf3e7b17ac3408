"""Server settings and the state one app holds (``create_app`` builds it; routes get it by ``Depends``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import anyio
from fastapi import Depends, Request
from pydantic import BaseModel, field_validator, model_validator

from comedo.errors import ComedoError
from comedo.web.errors import ApiError
from comedo.web.guard import LOOPBACK_HOSTS, host_name
from comedo.web.limits import ResultCache

__all__ = ["Settings", "AppState", "State", "StoreDep", "get_state", "get_store"]


class Settings(BaseModel):
    """Server settings; tests pass their own to ``create_app``."""

    token: str | None = None
    # The names (Host header, port aside) the server answers to. Without a token only the loopback names may be
    # given: anything else would let a page on another site read and write the history (DNS rebinding).
    allowed_hosts: tuple[str, ...] = LOOPBACK_HOSTS
    max_upload_bytes: int = 25 * 1024 * 1024
    max_pixels: int = 50_000_000
    max_concurrent: int = 2
    # ONNX Runtime threads per analysis (None: leave this process's default); `comedo serve` gives each
    # concurrent analysis a share of the cores, or the thread pools fight (7.7 -> 11.7 requests/s on 2 cores).
    threads: int | None = None
    keep_analyses: int = 200
    keep_bytes: int = 512 * 1024 * 1024  # the results kept for the page, photos and maps included
    max_json_bytes: int = 64 * 1024  # JSON bodies (triage answers)
    preload_models: bool = True
    db_url: str | None = None  # history store; None = the default SQLite in the data directory
    data_dir: str | None = None

    @field_validator("allowed_hosts")
    @classmethod
    def _host_names(cls, hosts: tuple[str, ...]) -> tuple[str, ...]:
        names = []
        for host in hosts:
            parsed = host_name(host)
            if parsed is None:
                raise ValueError(f"allowed_hosts: {host!r} is not a host name or address")
            names.append(parsed[0])
        if not names:
            raise ValueError("allowed_hosts: give at least one name")
        return tuple(dict.fromkeys(names))

    @model_validator(mode="after")
    def _loopback_without_token(self) -> Settings:
        others = [h for h in self.allowed_hosts if h not in LOOPBACK_HOSTS]
        if self.token is None and others:
            raise ValueError(f"allowed_hosts: {others[0]!r} needs a token; without one the server answers only "
                             f"to {', '.join(LOOPBACK_HOSTS)}")
        return self


@dataclass
class AppState:
    """What one app holds: its settings, the results kept for the page, the analysis limiter, the store."""

    settings: Settings
    analyses: ResultCache = field(init=False)
    comparisons: ResultCache = field(init=False)
    limiter: anyio.CapacityLimiter = field(init=False)
    _store: Any = None

    def __post_init__(self) -> None:
        s = self.settings
        self.analyses = ResultCache(s.keep_analyses, s.keep_bytes)
        self.comparisons = ResultCache(s.keep_analyses, s.keep_bytes // 2, "comparison")
        self.limiter = anyio.CapacityLimiter(s.max_concurrent)

    def store(self) -> Any:
        """The history store, opened on first use (SQLAlchemy loads only when a route needs it)."""
        if self._store is None:
            from comedo.store.repository import Store

            try:
                data_dir = Path(self.settings.data_dir) if self.settings.data_dir else None
                self._store = Store.open(self.settings.db_url, data_dir=data_dir)
            except ComedoError as exc:
                raise ApiError(503, "store_unavailable", str(exc)) from None
        return self._store

    async def run(self, func: Any, *args: Any) -> Any:
        """``func(*args)`` in a worker thread, at most ``max_concurrent`` at once, off the event loop."""
        return await anyio.to_thread.run_sync(func, *args, limiter=self.limiter)


def get_state(request: Request) -> AppState:
    return request.app.state.comedo


def get_store(state: Annotated[AppState, Depends(get_state)]) -> Any:
    return state.store()


State = Annotated[AppState, Depends(get_state)]
StoreDep = Annotated[Any, Depends(get_store)]
