"""``/api/v1/comparisons``: before/after photos compared lesion by lesion, and the comparison's images."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, UploadFile
from fastapi.responses import Response

from comedo.web.errors import ApiError
from comedo.web.limits import footprint, release_memory
from comedo.web.routes.uploads import load_upload, read_upload
from comedo.web.schemas import ComparisonResponse
from comedo.web.settings import State

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/comparisons", tags=["comparisons"])


@router.post("", status_code=201, response_model=ComparisonResponse)
async def create_comparison(
    state: State,
    before: Annotated[UploadFile, File(description="The earlier photo")],
    after: Annotated[UploadFile, File(description="The later photo of the same skin")],
) -> ComparisonResponse:
    from comedo.workflows.compare import compare_photos, comparison_document

    images = [load_upload(await read_upload(upload, state.settings.max_upload_bytes), upload.filename,
                          max_pixels=state.settings.max_pixels) for upload in (before, after)]
    try:
        a, b, comp = await state.run(lambda: compare_photos(images[0], images[1]))
    finally:
        release_memory()
    key = state.comparisons.put((a, b, comp), footprint(a) + footprint(b))
    return ComparisonResponse.model_validate({"id": key, **comparison_document(a, b, comp)})


@router.get("/{comparison_id}/{name}.png", response_class=Response)
async def comparison_png(comparison_id: str, name: str, state: State) -> Response:
    from comedo.render.compare_images import overlay, side_by_side
    from comedo.render.images import png_bytes

    a, b, comp = state.comparisons.get(comparison_id)
    draw = {"side_by_side": side_by_side, "overlay": overlay}.get(name)
    if draw is None:
        raise ApiError(404, "not_found", "images are side_by_side.png and overlay.png")
    if not comp.registration.ok:
        raise ApiError(409, "not_comparable", comp.registration.reason)
    img = await state.run(lambda: draw(a, b, comp))
    return Response(png_bytes(img), media_type="image/png")
