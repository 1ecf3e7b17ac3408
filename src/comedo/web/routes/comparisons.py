"""``/api/v1/comparisons``: before/after photos compared lesion by lesion, and the comparison's images."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any, BinaryIO

from fastapi import APIRouter, File, UploadFile
from fastapi.responses import Response

from comedo.analysis import Analysis
from comedo.web.errors import ApiError
from comedo.web.limits import footprint, release_memory
from comedo.web.routes.uploads import check_size, load_upload, read_spooled
from comedo.web.schemas import ComparisonResponse, StoredPair
from comedo.web.settings import State, StoreDep

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/comparisons", tags=["comparisons"])


def _compare(before: BinaryIO, before_name: str | None, after: BinaryIO, after_name: str | None, *,
             max_bytes: int, max_pixels: int) -> tuple[Analysis, Analysis, Any]:
    """Read, decode and compare both photos in one worker thread, inside the concurrency limit: queued requests
    hold only their spooled uploads, and the event loop (``/health``, the page) never decodes a photo."""
    from comedo.workflows.compare import compare_photos

    try:
        images = [load_upload(read_spooled(file, max_bytes), name, max_pixels=max_pixels)
                  for file, name in ((before, before_name), (after, after_name))]
        return compare_photos(images[0], images[1])
    finally:
        release_memory()


@router.post("", status_code=201, response_model=ComparisonResponse)
async def create_comparison(
    state: State,
    before: Annotated[UploadFile, File(description="The earlier photo")],
    after: Annotated[UploadFile, File(description="The later photo of the same skin")],
) -> ComparisonResponse:
    from comedo.workflows.compare import comparison_document

    limit = state.settings.max_upload_bytes
    for upload in (before, after):
        check_size(upload, limit)
    a, b, comp = await state.run(partial(_compare, before.file, before.filename, after.file, after.filename,
                                         max_bytes=limit, max_pixels=state.settings.max_pixels))
    key = state.comparisons.put((a, b, comp), footprint(a) + footprint(b))
    return ComparisonResponse.model_validate({"id": key, **comparison_document(a, b, comp)})


@router.post("/stored", status_code=201, response_model=ComparisonResponse)
async def compare_stored(pair: StoredPair, state: State, store: StoreDep) -> ComparisonResponse:
    """Two analyses from a subject's history compared as stored (read back, not analysed again)."""
    from comedo.workflows.compare import compare_stored, comparison_document

    ids = {row.analysis_id for row in await state.run(store.history, pair.subject)}
    missing = [i for i in (pair.before, pair.after) if i not in ids]
    if missing:
        raise ApiError(404, "not_found", f"subject {pair.subject!r} has no stored analysis {missing[0]}")
    a, b = [await state.run(store.analysis, i) for i in (pair.before, pair.after)]
    a, b, comp = await state.run(compare_stored, a, b)
    key = state.comparisons.put((a, b, comp), footprint(a) + footprint(b))
    return ComparisonResponse.model_validate({"id": key, **comparison_document(a, b, comp)})


IMAGES = ("side_by_side", "overlay", "before_aligned", "after_aligned")


@router.get("/{comparison_id}/{name}.png", response_class=Response)
async def comparison_png(comparison_id: str, name: str, state: State) -> Response:
    """``side_by_side``, ``overlay`` (50/50 blend), and ``before_aligned`` / ``after_aligned``: the two photos in
    the after photo's frame at one size, for the page's before/after slider."""
    from comedo.render.compare_images import aligned_pair, overlay, side_by_side
    from comedo.render.images import png_bytes

    a, b, comp = state.comparisons.get(comparison_id)
    if name not in IMAGES:
        raise ApiError(404, "not_found", f"images are {', '.join(n + '.png' for n in IMAGES)}")
    if not comp.registration.ok:
        raise ApiError(409, "not_comparable", comp.registration.reason)
    draw = {"side_by_side": lambda: side_by_side(a, b, comp), "overlay": lambda: overlay(a, b, comp),
            "before_aligned": lambda: aligned_pair(a, b, comp)[0],
            "after_aligned": lambda: aligned_pair(a, b, comp)[1]}[name]
    png = await state.run(lambda: png_bytes(draw()))  # encoding a large PNG would stall the event loop
    return Response(png, media_type="image/png")
