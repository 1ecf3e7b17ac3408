"""Reading uploaded photos: bounded reads, and loader errors as 413 or 415 (an upload that is not a photo)."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from fastapi import UploadFile

from comedo.errors import ImageTooLargeError, InvalidInputError
from comedo.types import SkinImage
from comedo.web.errors import ApiError
from comedo.web.limits import mb

__all__ = ["check_size", "read_upload", "read_spooled", "load_upload"]


async def read_upload(upload: UploadFile, limit: int) -> bytes:
    chunks, total = [], 0
    while chunk := await upload.read(1 << 20):
        total += len(chunk)
        if total > limit:
            raise ApiError(413, "too_large", f"image is over the {mb(limit)} upload limit")
        chunks.append(chunk)
    if total == 0:
        raise ApiError(415, "not_an_image", "image: the upload is empty")
    return b"".join(chunks)


def check_size(upload: UploadFile, limit: int) -> None:
    """Refuse an upload over ``limit`` before it waits for a worker (the form parser has already counted it)."""
    if upload.size is not None and upload.size > limit:
        raise ApiError(413, "too_large", f"{upload.filename or 'image'} is over the {mb(limit)} upload limit")


def read_spooled(file: BinaryIO, limit: int) -> bytes:
    """An upload's bytes, read in a worker thread: until then they wait in the form parser's spooled file (on disk
    past 1 MB), not in memory, however many requests are queued."""
    file.seek(0)
    data = file.read(limit + 1)
    if len(data) > limit:
        raise ApiError(413, "too_large", f"image is over the {mb(limit)} upload limit")
    if not data:
        raise ApiError(415, "not_an_image", "image: the upload is empty")
    return data


def load_upload(data: bytes, filename: str | None, *, max_pixels: int, mm_per_px: float | None = None,
                ) -> SkinImage:
    from comedo.io import load_image

    try:
        return load_image(data, name=Path(filename or "upload").name, mm_per_px=mm_per_px, max_pixels=max_pixels)
    except ImageTooLargeError:
        raise
    except InvalidInputError as exc:
        raise ApiError(415, "not_an_image", str(exc)) from None
