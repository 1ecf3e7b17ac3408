"""The HTML pages, the offline API docs and the health check."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from comedo.web.limits import peak_rss_mb, rss_mb
from comedo.web.schemas import Health
from comedo.web.settings import State

__all__ = ["router", "STATIC", "version"]

STATIC = Path(str(resources.files("comedo") / "web" / "static"))
router = APIRouter()


def version() -> str:
    from comedo import __version__

    return __version__


def _page(name: str) -> HTMLResponse:
    return HTMLResponse((STATIC / name).read_text(encoding="utf-8"))


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
async def page(request: Request, state: State) -> HTMLResponse:
    response = _page("index.html")
    token = request.query_params.get("token")
    if state.settings.token and token:
        response.set_cookie("comedo_token", token, httponly=True, samesite="strict")
    return response


@router.get("/compare", response_class=HTMLResponse, include_in_schema=False)
async def compare_page() -> HTMLResponse:
    return _page("compare.html")


@router.get("/history", response_class=HTMLResponse, include_in_schema=False)
async def history_page() -> HTMLResponse:
    return _page("history.html")


@router.get("/docs", response_class=HTMLResponse, include_in_schema=False)
async def docs() -> HTMLResponse:
    """Swagger UI from the swagger-ui-bundle package (no CDN: it works offline), started by a static script
    so the page runs under the same Content-Security-Policy as the rest."""
    return _page("docs.html")


@router.get("/favicon.ico", include_in_schema=False)
async def favicon() -> Response:
    return Response((STATIC / "favicon.svg").read_bytes(), media_type="image/svg+xml")


@router.get("/api/v1/health", response_model=Health)
async def health() -> Health:
    """Liveness, the version, and the server's resident memory (what ``comedo load-test`` reports)."""
    return Health(status="ok", version=version(), rss_mb=rss_mb(), rss_peak_mb=peak_rss_mb())
