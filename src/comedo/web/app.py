"""The web app: a page and a JSON API over the library (``create_app``).

Routes (``comedo.web.routes``) only parse input, call the library and return their response models; analyses
run in worker threads (bounded by ``Settings.max_concurrent``) so one slow photo never stalls the event loop.
Models load in the lifespan, never at import. Errors are ``{"code", "detail"}``, every one of them (unknown
routes, body and form-parsing errors included; ``comedo.web.handlers`` maps each error class), and are in the
OpenAPI schema: 413 too large, 415 not an image, 422 bad answers or parameters, 401 missing or wrong token,
404 unknown route or analysis. Every request body is bounded (``Settings``); the results kept for the page are
bounded by count and by bytes. Responses carry a Content-Security-Policy (scripts and styles from this server
only; ``/docs`` serves Swagger UI from the package, so it works offline) and nosniff.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from comedo.web.errors import ERROR_RESPONSES
from comedo.web.handlers import add_exception_handlers
from comedo.web.limits import CSP, BodyLimit
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
    app = FastAPI(title="comedo", version=version(), lifespan=_lifespan(state), docs_url=None, redoc_url=None,
                  responses=ERROR_RESPONSES,
                  description="Skin-photo analysis: lesions, dark spots, redness, severity, triage. "
                              "Not a medical device.")
    app.state.comedo = state
    app.add_middleware(BodyLimit, upload_bytes=state.settings.max_upload_bytes,
                       json_bytes=state.settings.max_json_bytes)

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Any) -> Response:
        response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Frame-Options"] = "DENY"
        return response

    @app.middleware("http")
    async def check_token(request: Request, call_next: Any) -> Response:
        """With a token set, every page and API call needs it (header, cookie or ?token=), except health."""
        token = state.settings.token
        if token is not None and request.url.path != "/api/v1/health":
            header = request.headers.get("authorization", "")
            given = header[7:] if header.lower().startswith("bearer ") else request.cookies.get("comedo_token", "")
            given = given or request.query_params.get("token", "")
            if not secrets.compare_digest(given.encode(), token.encode()):
                return JSONResponse({"code": "unauthorized",
                                     "detail": "a valid token is required (Authorization: Bearer TOKEN)"},
                                    status_code=401)
        return await call_next(request)

    add_exception_handlers(app)
    for module in (pages, analyses, history, comparisons, triage):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.mount("/docs-assets", StaticFiles(directory=str(_swagger_ui())), name="docs-assets")
    return app


def _swagger_ui() -> Path:
    from swagger_ui_bundle import swagger_ui_path

    return Path(str(swagger_ui_path))
