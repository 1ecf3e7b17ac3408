"""The web API's errors: one body shape, ``{"code", "detail"}``, for every status, and its OpenAPI entries."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

__all__ = ["ApiError", "ErrorBody", "ERROR_RESPONSES", "STATUS_CODES", "send_error"]


class ApiError(Exception):
    def __init__(self, status: int, code: str, detail: str) -> None:
        super().__init__(detail)
        self.status, self.code, self.detail = status, code, detail


class ErrorBody(BaseModel):
    """Every error the API returns."""

    code: str
    detail: str


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "the Host header is not a name this server answers to"},
    401: {"model": ErrorBody, "description": "a token is required and was missing or wrong"},
    403: {"model": ErrorBody, "description": "a write (not GET/HEAD) sent by a page on another site"},
    404: {"model": ErrorBody, "description": "no such route, analysis or comparison"},
    413: {"model": ErrorBody, "description": "the body or the photo is over its limit"},
    415: {"model": ErrorBody, "description": "the upload is not a supported photo"},
    422: {"model": ErrorBody, "description": "bad answers or parameters"},
}
STATUS_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
                 413: "too_large", 415: "not_an_image", 422: "invalid_request"}


async def send_error(send: Any, status: int, code: str, detail: str) -> None:
    """An answer ``{"code", "detail"}`` sent straight from ASGI middleware, before any route runs."""
    body = json.dumps({"code": code, "detail": detail}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
