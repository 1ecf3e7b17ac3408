"""The web app: a page and a JSON API over the library (``create_app``).

Routes only parse input, call the library and format the result; analyses run
in worker threads (bounded by ``Settings.max_concurrent``) so one slow photo
never stalls the event loop. Models load in the lifespan, never at import.
Errors are ``{"code", "detail"}``, every one of them (unknown routes, body and
form-parsing errors included), and are in the OpenAPI schema: 413 too large, 415
not an image, 422 bad answers or parameters, 401 missing or wrong token, 404
unknown route or analysis. Every request body is bounded (``Settings``); the
results kept for the page are bounded by count and by bytes. Responses carry a
Content-Security-Policy (scripts and styles from this server only; ``/docs``
serves Swagger UI from the package, so it works offline) and nosniff.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

import anyio
from fastapi import FastAPI, File, Form, Query, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from comedo.errors import ComedoError, ImageTooLargeError, InvalidInputError, ModelError
from comedo.schema import TriageDocument, report_document
from comedo.types import Analysis
from comedo.web.errors import ERROR_RESPONSES, STATUS_CODES, ApiError
from comedo.web.limits import (
    CSP,
    REPORT_CSP,
    BodyLimit,
    ResultCache,
    footprint,
    mb,
    release_memory,
    rss_mb,
)

__all__ = ["Settings", "create_app"]

STATIC = Path(str(resources.files("comedo") / "web" / "static"))


class Settings(BaseModel):
    """Server settings; tests pass their own to ``create_app``."""

    token: str | None = None
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


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    cache = ResultCache(settings.keep_analyses, settings.keep_bytes)
    comparisons = ResultCache(settings.keep_analyses, settings.keep_bytes // 2, "comparison")
    limiter = anyio.CapacityLimiter(settings.max_concurrent)
    store_holder: dict[str, Any] = {}

    def get_store() -> Any:
        if "store" not in store_holder:
            from comedo.store.repository import Store

            try:
                store_holder["store"] = Store.open(settings.db_url,
                                                   data_dir=Path(settings.data_dir) if settings.data_dir else None)
            except ComedoError as exc:
                raise ApiError(503, "store_unavailable", str(exc)) from None
        return store_holder["store"]

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if settings.threads is not None:
            from comedo.nets.session import set_threads

            set_threads(settings.threads)
        if settings.preload_models:
            from comedo.classify.registry import get_type_classifier
            from comedo.detect.registry import get_detector
            from comedo.pipeline import analyze

            get_detector("auto"), get_type_classifier()
            import numpy as np

            # One tiny analysis builds the ONNX sessions before the first user arrives.
            await anyio.to_thread.run_sync(lambda: analyze(np.full((64, 64, 3), 180, np.uint8)))
        yield

    app = FastAPI(title="comedo", version=_version(), lifespan=lifespan, docs_url=None, redoc_url=None,
                  responses=ERROR_RESPONSES,
                  description="Skin-photo analysis: lesions, dark spots, redness, severity, triage. "
                              "Not a medical device.")
    app.add_middleware(BodyLimit, upload_bytes=settings.max_upload_bytes, json_bytes=settings.max_json_bytes)

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
        if settings.token is not None and request.url.path != "/api/v1/health":
            header = request.headers.get("authorization", "")
            given = header[7:] if header.lower().startswith("bearer ") else request.cookies.get("comedo_token", "")
            given = given or request.query_params.get("token", "")
            if not secrets.compare_digest(given.encode(), settings.token.encode()):
                return JSONResponse({"code": "unauthorized",
                                     "detail": "a valid token is required (Authorization: Bearer TOKEN)"},
                                    status_code=401)
        return await call_next(request)

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse({"code": exc.code, "detail": exc.detail}, status_code=exc.status)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {"loc": [], "msg": "invalid request"}
        where = ".".join(str(p) for p in first.get("loc", []) if p not in ("body", "query", "path"))
        return JSONResponse({"code": "invalid_request", "detail": f"{where}: {first['msg']}".strip(": ")},
                            status_code=422)

    @app.exception_handler(StarletteHTTPException)  # FastAPI's HTTPException, and Starlette's 404/405/400
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail, status = str(exc.detail), exc.status_code
        if status == 404 and detail == "Not Found":
            detail = f"no route {request.url.path[:80]!r}; the API is under /api/v1 (see /docs)"
        if status == 400 and "maximum size" in detail:  # python-multipart's limit on one form part
            status = 413
        return JSONResponse({"code": STATUS_CODES.get(status, "http_error"), "detail": detail[:300]},
                            status_code=status, headers=getattr(exc, "headers", None))

    @app.exception_handler(ModelError)
    async def _model(request: Request, exc: ModelError) -> JSONResponse:
        return JSONResponse({"code": "model_error", "detail": str(exc)}, status_code=500)

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def page(request: Request) -> HTMLResponse:
        response = HTMLResponse((STATIC / "index.html").read_text(encoding="utf-8"))
        token = request.query_params.get("token")
        if settings.token and token:
            response.set_cookie("comedo_token", token, httponly=True, samesite="strict")
        return response

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.mount("/docs-assets", StaticFiles(directory=str(_swagger_ui())), name="docs-assets")

    @app.get("/docs", response_class=HTMLResponse, include_in_schema=False)
    async def docs() -> HTMLResponse:
        """Swagger UI from the swagger-ui-bundle package (no CDN: it works offline), started by a static script
        so the page runs under the same Content-Security-Policy as the rest."""
        return HTMLResponse((STATIC / "docs.html").read_text(encoding="utf-8"))

    @app.get("/favicon.ico", include_in_schema=False)
    async def favicon() -> Response:
        return Response((STATIC / "favicon.svg").read_bytes(), media_type="image/svg+xml")

    @app.get("/api/v1/health")
    async def health() -> dict[str, Any]:
        """Liveness, the version, and the server's resident memory (what ``comedo load-test`` reports)."""
        return {"status": "ok", "version": _version(), "rss_mb": rss_mb()}

    @app.post("/api/v1/analyses", status_code=201)
    async def create_analysis(
        image: Annotated[UploadFile, File(description="The photo (JPEG, PNG, WebP, TIFF, BMP, HEIC)")],
        answers: Annotated[str | None, Form(description="Triage answers as a JSON object")] = None,
        mm_per_px: Annotated[float | None, Form(gt=0, le=10, description="Scale of the photo")] = None,
        subject: Annotated[str | None, Form(description="Pseudonymous subject id: store it in the history")] = None,
    ) -> JSONResponse:
        from comedo.explain.answers import Answers, decode_answers

        try:
            parsed = decode_answers(answers, source="answers") if answers else Answers()
            if subject:
                from comedo.store.repository import check_subject

                check_subject(subject)  # before the analysis, not after it
        except InvalidInputError as exc:
            raise ApiError(422, "invalid_answers" if "answers" in str(exc)[:8] else "invalid_request",
                           str(exc)) from None
        data = await _read_limited(image, settings.max_upload_bytes)
        name = Path(image.filename or "upload").name
        analysis, doc = await anyio.to_thread.run_sync(_analyze, data, name, parsed, mm_per_px, settings.max_pixels,
                                                       limiter=limiter)
        key = cache.put((analysis, doc), footprint(analysis) + len(json.dumps(doc)))
        extra: dict[str, Any] = {}
        if subject:
            try:
                extra["stored_id"] = await anyio.to_thread.run_sync(
                    lambda: get_store().save_analysis(analysis, subject_id=subject, document=doc), limiter=limiter)
            except InvalidInputError as exc:
                raise ApiError(422, "invalid_request", str(exc)) from None
            except ComedoError as exc:
                raise ApiError(503, "store_unavailable", str(exc)) from None
        return JSONResponse({"id": key, **extra, **doc}, status_code=201)

    @app.get("/api/v1/subjects/{subject}/history")
    async def subject_history(subject: str) -> JSONResponse:
        rows = await anyio.to_thread.run_sync(lambda: get_store().history(subject), limiter=limiter)
        return JSONResponse({"subject": subject, "analyses": [
            {**{k: v for k, v in r.__dict__.items() if k != "created_at"}, "created_at": r.created_at.isoformat()}
            for r in rows]})

    @app.get("/api/v1/subjects/{subject}/history.png", response_class=Response)
    async def subject_history_png(subject: str) -> Response:
        from comedo.render.history_chart import history_chart
        from comedo.render.images import png_bytes

        rows = await anyio.to_thread.run_sync(lambda: get_store().history(subject), limiter=limiter)
        if not rows:
            raise ApiError(404, "not_found", f"no stored analyses for subject {subject!r}")
        return Response(png_bytes(history_chart(rows, subject)), media_type="image/png")

    @app.post("/api/v1/comparisons", status_code=201)
    async def create_comparison(
        before: Annotated[UploadFile, File(description="The earlier photo")],
        after: Annotated[UploadFile, File(description="The later photo of the same skin")],
    ) -> JSONResponse:
        from comedo.io import load_image
        from comedo.workflows.compare import compare_photos, comparison_document

        images = []
        for upload in (before, after):
            data = await _read_limited(upload, settings.max_upload_bytes)
            try:
                images.append(load_image(data, name=Path(upload.filename or "upload").name,
                                         max_pixels=settings.max_pixels))
            except ImageTooLargeError as exc:
                raise ApiError(413, "too_large", str(exc)) from None
            except InvalidInputError as exc:
                raise ApiError(415, "not_an_image", str(exc)) from None
        a, b, comp = await anyio.to_thread.run_sync(lambda: compare_photos(images[0], images[1]), limiter=limiter)
        release_memory()
        key = comparisons.put((a, b, comp), footprint(a) + footprint(b))
        return JSONResponse({"id": key, **comparison_document(a, b, comp)}, status_code=201)

    @app.get("/api/v1/comparisons/{comparison_id}/{name}.png", response_class=Response)
    async def comparison_png(comparison_id: str, name: str) -> Response:
        from comedo.render.compare_images import overlay, side_by_side
        from comedo.render.images import png_bytes

        a, b, comp = comparisons.get(comparison_id)
        draw = {"side_by_side": side_by_side, "overlay": overlay}.get(name)
        if draw is None:
            raise ApiError(404, "not_found", "images are side_by_side.png and overlay.png")
        if not comp.registration.ok:
            raise ApiError(409, "not_comparable", comp.registration.reason)
        img = await anyio.to_thread.run_sync(lambda: draw(a, b, comp), limiter=limiter)
        return Response(png_bytes(img), media_type="image/png")

    @app.get("/compare", response_class=HTMLResponse, include_in_schema=False)
    async def compare_page() -> HTMLResponse:
        return HTMLResponse((STATIC / "compare.html").read_text(encoding="utf-8"))

    @app.get("/history", response_class=HTMLResponse, include_in_schema=False)
    async def history_page() -> HTMLResponse:
        return HTMLResponse((STATIC / "history.html").read_text(encoding="utf-8"))

    @app.get("/api/v1/analyses/{analysis_id}")
    async def get_analysis(analysis_id: str) -> JSONResponse:
        return JSONResponse({"id": analysis_id, **cache.get(analysis_id)[1]})

    @app.get("/api/v1/analyses/{analysis_id}/image.png", response_class=Response)
    async def annotated(analysis_id: str,
                        layers: Annotated[str, Query(description="comma-separated, of redness,skin,lesions,dark_spots")]
                        = "lesions") -> Response:
        from comedo.render.annotate import LAYERS

        chosen = tuple(x for x in layers.split(",") if x)
        bad = [x for x in chosen if x not in LAYERS]
        if bad:
            raise ApiError(422, "invalid_request", f"layers: unknown {bad}; choose from {list(LAYERS)}")
        analysis = cache.get(analysis_id)[0]
        png = await anyio.to_thread.run_sync(_annotated_png, analysis, chosen, limiter=limiter)
        return Response(png, media_type="image/png")

    @app.get("/api/v1/analyses/{analysis_id}/photo.jpg", response_class=Response)
    async def photo(analysis_id: str) -> Response:
        from comedo.render.images import photo_jpeg

        data = await anyio.to_thread.run_sync(photo_jpeg, cache.get(analysis_id)[0], limiter=limiter)
        return Response(data, media_type="image/jpeg")

    @app.get("/api/v1/analyses/{analysis_id}/redness.png", response_class=Response)
    async def redness(analysis_id: str) -> Response:
        from comedo.render.images import redness_overlay_png

        data = await anyio.to_thread.run_sync(redness_overlay_png, cache.get(analysis_id)[0], limiter=limiter)
        return Response(data, media_type="image/png")

    @app.get("/api/v1/analyses/{analysis_id}/report.html", response_class=HTMLResponse)
    async def report(analysis_id: str) -> HTMLResponse:
        from comedo.render.report import report_html

        html = await anyio.to_thread.run_sync(report_html, *cache.get(analysis_id), limiter=limiter)
        return HTMLResponse(html, headers={"Content-Disposition": f'attachment; filename="comedo-{analysis_id}.html"',
                                           "Content-Security-Policy": REPORT_CSP})

    @app.post("/api/v1/triage", response_model=TriageDocument,
              openapi_extra={"requestBody": {"required": True, "content": {"application/json": {"schema": {
                  "type": "object", "description": "the answers (see the Answers schema in the docs)"}}}}})
    async def triage_route(request: Request) -> JSONResponse:
        from comedo.explain.answers import decode_answers
        from comedo.pipeline import triage_report

        body = await request.body()  # bounded by BodyLimit
        try:
            report_obj = triage_report(decode_answers(body, source="answers"))
        except InvalidInputError as exc:
            raise ApiError(422, "invalid_answers", str(exc)) from None
        return JSONResponse(report_document(report_obj).model_dump(mode="json"))

    return app


async def _read_limited(upload: UploadFile, limit: int) -> bytes:
    chunks, total = [], 0
    while chunk := await upload.read(1 << 20):
        total += len(chunk)
        if total > limit:
            raise ApiError(413, "too_large", f"image is over the {mb(limit)} upload limit")
        chunks.append(chunk)
    if total == 0:
        raise ApiError(415, "not_an_image", "image: the upload is empty")
    return b"".join(chunks)


def _analyze(data: bytes, name: str, answers: Any, mm_per_px: float | None,
             max_pixels: int) -> tuple[Analysis, dict[str, Any]]:
    from comedo.io import load_image
    from comedo.pipeline import analyze
    from comedo.schema import to_document

    try:
        image = load_image(data, name=name, mm_per_px=mm_per_px, max_pixels=max_pixels)
    except ImageTooLargeError as exc:
        raise ApiError(413, "too_large", str(exc)) from None
    except InvalidInputError as exc:
        raise ApiError(415, "not_an_image", str(exc)) from None
    try:
        analysis = analyze(image, answers=answers)
    except InvalidInputError as exc:
        raise ApiError(422, "invalid_request", str(exc)) from None
    except ComedoError as exc:
        raise ApiError(500, "analysis_failed", str(exc)) from None
    finally:
        release_memory()
    return analysis, to_document(analysis).model_dump(mode="json")


def _annotated_png(analysis: Analysis, layers: tuple[str, ...]) -> bytes:
    import cv2

    from comedo.render.annotate import annotate

    ok, png = cv2.imencode(".png", annotate(analysis, layers=layers)[..., ::-1])
    return png.tobytes()


def _swagger_ui() -> Path:
    from swagger_ui_bundle import swagger_ui_path

    return Path(str(swagger_ui_path))


def _version() -> str:
    from comedo import __version__

    return __version__
