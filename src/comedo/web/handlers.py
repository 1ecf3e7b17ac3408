"""Exception handlers, one per error class: every error leaves the API as ``{"code", "detail"}``.

Routes raise the library's errors (or ``ApiError`` for a web-only status) and never catch them to reformat."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

from comedo.errors import ComedoError, ImageTooLargeError, InvalidInputError, ModelError, StoreError
from comedo.web.errors import STATUS_CODES, ApiError

__all__ = ["add_exception_handlers", "LIBRARY_ERRORS"]

# The library's error classes -> (status, code); the most specific class wins.
LIBRARY_ERRORS: dict[type[ComedoError], tuple[int, str]] = {
    ImageTooLargeError: (413, "too_large"),
    InvalidInputError: (422, "invalid_request"),
    StoreError: (503, "store_unavailable"),
    ModelError: (500, "model_error"),
    ComedoError: (500, "analysis_failed"),
}


def _body(status: int, code: str, detail: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"code": code, "detail": detail}, status_code=status, headers=headers)


async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
    return _body(exc.status, exc.code, exc.detail)


async def _library_error(request: Request, exc: ComedoError) -> JSONResponse:
    status, code = next(LIBRARY_ERRORS[cls] for cls in type(exc).__mro__ if cls in LIBRARY_ERRORS)
    return _body(status, code, str(exc))


async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
    first = exc.errors()[0] if exc.errors() else {"loc": [], "msg": "invalid request"}
    where = ".".join(str(p) for p in first.get("loc", []) if p not in ("body", "query", "path"))
    return _body(422, "invalid_request", f"{where}: {first['msg']}".strip(": "))


async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    """FastAPI's HTTPException and Starlette's own 400/404/405."""
    detail, status = str(exc.detail), exc.status_code
    if status == 404 and detail == "Not Found":
        detail = f"no route {request.url.path[:80]!r}; the API is under /api/v1 (see /docs)"
    if status == 400 and "maximum size" in detail:  # python-multipart's limit on one form part
        status = 413
    return _body(status, STATUS_CODES.get(status, "http_error"), detail[:300], getattr(exc, "headers", None))


async def _gone(request: Request, exc: ClientDisconnect) -> JSONResponse:
    """The client went away (or the server closed a stalled upload) mid-body: nothing to report, no one to tell."""
    return _body(400, "client_disconnected", "the connection closed before the request body arrived")


def add_exception_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _api_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _validation)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _http)  # type: ignore[arg-type]
    app.add_exception_handler(ClientDisconnect, _gone)  # type: ignore[arg-type]
    for cls in LIBRARY_ERRORS:
        app.add_exception_handler(cls, _library_error)  # type: ignore[arg-type]
