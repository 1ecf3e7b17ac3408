"""``/api/v1/analyses``: analyse an upload, then fetch its document, images and report by id."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, UploadFile
from fastapi.responses import HTMLResponse, Response

from comedo.analysis import Analysis
from comedo.errors import InvalidInputError
from comedo.web.errors import ApiError
from comedo.web.limits import REPORT_CSP, footprint, release_memory
from comedo.web.routes.uploads import load_upload, read_upload
from comedo.web.schemas import AnalysisResponse
from comedo.web.settings import State

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/analyses", tags=["analyses"])


def _analyse(data: bytes, name: str | None, answers: Any, mm_per_px: float | None,
             max_pixels: int) -> tuple[Analysis, dict[str, Any]]:
    from comedo.pipeline import analyze
    from comedo.schema import to_document

    try:
        analysis = analyze(load_upload(data, name, max_pixels=max_pixels, mm_per_px=mm_per_px), answers=answers)
    finally:
        release_memory()
    return analysis, to_document(analysis).model_dump(mode="json")


@router.post("", status_code=201, response_model=AnalysisResponse)
async def create_analysis(
    state: State,
    image: Annotated[UploadFile, File(description="The photo (JPEG, PNG, WebP, TIFF, BMP, HEIC)")],
    answers: Annotated[str | None, Form(description="Triage answers as a JSON object")] = None,
    mm_per_px: Annotated[float | None, Form(gt=0, le=10, description="Scale of the photo")] = None,
    subject: Annotated[str | None, Form(description="Pseudonymous subject id: store it in the history")] = None,
) -> Response:
    from comedo.explain.answers import Answers, decode_answers

    try:
        parsed = decode_answers(answers, source="answers") if answers else Answers()
        if subject:
            from comedo.store.sessions import check_subject

            check_subject(subject)  # before the analysis, not after it
    except InvalidInputError as exc:
        raise ApiError(422, "invalid_answers" if "answers" in str(exc)[:8] else "invalid_request",
                       str(exc)) from None
    data = await read_upload(image, state.settings.max_upload_bytes)
    analysis, doc = await state.run(_analyse, data, image.filename, parsed, mm_per_px, state.settings.max_pixels)
    key = state.analyses.put((analysis, doc), footprint(analysis) + len(json.dumps(doc)))
    extra: dict[str, Any] = {}
    if subject:
        store = state.store()
        extra["stored_id"] = await state.run(lambda: store.save_analysis(analysis, subject_id=subject, document=doc))
    # The document is already JSON: sent as it is rather than validated into the model again.
    return Response(json.dumps({"id": key, **extra, **doc}), status_code=201, media_type="application/json")


@router.get("/{analysis_id}", response_model=AnalysisResponse)
async def get_analysis(analysis_id: str, state: State) -> Response:
    body = {"id": analysis_id, **state.analyses.get(analysis_id)[1]}
    return Response(json.dumps(body), media_type="application/json")


@router.get("/{analysis_id}/image.png", response_class=Response)
async def annotated(analysis_id: str, state: State,
                    layers: Annotated[str, Query(description="comma-separated, of redness,skin,lesions,dark_spots")]
                    = "lesions") -> Response:
    from comedo.render.annotate import LAYERS, annotate
    from comedo.render.images import png_bytes

    chosen = tuple(x for x in layers.split(",") if x)
    bad = [x for x in chosen if x not in LAYERS]
    if bad:
        raise ApiError(422, "invalid_request", f"layers: unknown {bad}; choose from {list(LAYERS)}")
    analysis = state.analyses.get(analysis_id)[0]
    png = await state.run(lambda: png_bytes(annotate(analysis, layers=chosen)))
    return Response(png, media_type="image/png")


@router.get("/{analysis_id}/photo.jpg", response_class=Response)
async def photo(analysis_id: str, state: State) -> Response:
    from comedo.render.images import photo_jpeg

    data = await state.run(photo_jpeg, state.analyses.get(analysis_id)[0])
    return Response(data, media_type="image/jpeg")


@router.get("/{analysis_id}/redness.png", response_class=Response)
async def redness(analysis_id: str, state: State) -> Response:
    from comedo.render.images import redness_overlay_png

    data = await state.run(redness_overlay_png, state.analyses.get(analysis_id)[0])
    return Response(data, media_type="image/png")


@router.get("/{analysis_id}/report.html", response_class=HTMLResponse)
async def report(analysis_id: str, state: State) -> HTMLResponse:
    from comedo.render.report import report_html

    html = await state.run(report_html, *state.analyses.get(analysis_id))
    return HTMLResponse(html, headers={"Content-Disposition": f'attachment; filename="comedo-{analysis_id}.html"',
                                       "Content-Security-Policy": REPORT_CSP})
