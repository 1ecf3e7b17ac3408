"""The web app: a page and a JSON API over the library (``create_app``).

Routes (``comedo.web.routes``) only parse input, call the library and return their response models; analyses
run in worker threads (bounded by ``Settings.max_concurrent``) so one slow photo never stalls the event loop.
Models load in the lifespan, never at import. Errors are ``{"code", "detail"}``, every one of them (unknown
routes, body and form-parsing errors included; ``comedo.web.handlers`` maps each error class), and are in the
OpenAPI schema: 413 too large, 415 not an image, 422 bad answers or parameters, 401 missing or wrong token,
400 a Host the server does not answer to, 403 a write from another site (``comedo.web.guard``), 404 unknown
route or analysis. Every request body is bounded (``Settings``); the results kept for the page are bounded by
count and by bytes. Every answer carries a Content-Security-Policy (scripts and styles from this server only;
``/docs`` serves Swagger UI from the package, so it works offline), nosniff, frame and referrer policies.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from comedo.web.errors import ERROR_RESPONSES
from comedo.web.guard import RequestGuard, SecurityHeaders
from comedo.web.handlers import add_exception_handlers
from comedo.web.limits import BodyLimit
from comedo.web.routes import analyses, comparisons, history, pages, triage
from comedo.web.routes.pages import STATIC, version
from comedo.web.settings import AppState, Settings

__all__ = ["Settings", "create_app"]


def _lifespan(state: AppState) -> Any:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if state.settings.threads is not None:
            from comedo.nets.session import set_threads

            set_threads(state.settings.threads)
        if state.settings.preload_models:
            import numpy as np

            from comedo.pipeline import analyze

            # One tiny analysis builds the ONNX sessions before the first user arrives.
            await anyio.to_thread.run_sync(lambda: analyze(np.full((64, 64, 3), 180, np.uint8)))
        yield

    return lifespan


def create_app(settings: Settings | None = None) -> FastAPI:
    state = AppState(settings or Settings())
    app = _App(title="comedo", version=version(), lifespan=_lifespan(state), docs_url=None, redoc_url=None,
               responses=ERROR_RESPONSES,
               description="Skin-photo analysis: lesions, dark spots, redness, severity, triage. "
                           "Not a medical device.")
    app.state.comedo = state
    app.add_middleware(BodyLimit, upload_bytes=state.settings.max_upload_bytes,
                       json_bytes=state.settings.max_json_bytes)

    # Added last, so it runs first: a refused request never reaches the body limit or a route.
    app.add_middleware(RequestGuard, allowed_hosts=state.settings.allowed_hosts, token=state.settings.token)
    add_exception_handlers(app)
    for module in (pages, analyses, history, comparisons, triage):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.mount("/docs-assets", StaticFiles(directory=str(_swagger_ui())), name="docs-assets")
    return app


class _App(FastAPI):
    """FastAPI with ``SecurityHeaders`` outside everything, Starlette's error middleware included, so that every
    answer carries the headers: refusals from the guard, 413s from the body limit and 500s alike."""

    def build_middleware_stack(self) -> Any:
        return SecurityHeaders(super().build_middleware_stack())


def _swagger_ui() -> Path:
    from swagger_ui_bundle import swagger_ui_path

    return Path(str(swagger_ui_path))
