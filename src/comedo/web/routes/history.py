"""``/api/v1/subjects/{subject}/history``: a subject's stored analyses, as rows and as a chart."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from comedo.web.errors import ApiError
from comedo.web.schemas import HistoryResponse
from comedo.web.settings import State, StoreDep

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/subjects", tags=["history"])


@router.get("/{subject}/history", response_model=HistoryResponse)
async def subject_history(subject: str, state: State, store: StoreDep) -> HistoryResponse:
    rows = await state.run(store.history, subject)
    return HistoryResponse(subject=subject, analyses=rows)


@router.get("/{subject}/history.png", response_class=Response)
async def subject_history_png(subject: str, state: State, store: StoreDep) -> Response:
    from comedo.render.history_chart import history_chart
    from comedo.render.images import png_bytes

    rows = await state.run(store.history, subject)
    if not rows:
        raise ApiError(404, "not_found", f"no stored analyses for subject {subject!r}")
    png = await state.run(lambda: png_bytes(history_chart(rows, subject)))  # drawing off the event loop
    return Response(png, media_type="image/png")
