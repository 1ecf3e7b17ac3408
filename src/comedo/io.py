"""Safe image loading: the only place that decodes files and the only place BGR exists.

Accepts a path, bytes or an RGB array; applies EXIF orientation; converts
grayscale, palette, CMYK, 16-bit and alpha images to 8-bit RGB; rejects empty,
truncated, non-image and oversized input with ``InvalidInputError``.
"""

from __future__ import annotations

import hashlib
import io as _io
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Union

import numpy as np

from comedo.errors import ImageTooLargeError, InvalidInputError
from comedo.types import SkinImage

if TYPE_CHECKING:
    from PIL import Image

__all__ = ["load_image", "ImageSource", "MAX_PIXELS", "MAX_BYTES", "SUPPORTED_FORMATS"]

ImageSource = Union[str, Path, bytes, bytearray, np.ndarray]

MAX_PIXELS = 100_000_000  # a 100 MP phone photo; decompression bombs are far larger
MAX_BYTES = 100 * 1024 * 1024
SUPPORTED_FORMATS = ("JPEG", "PNG", "WEBP", "TIFF", "BMP", "HEIF", "HEIC", "MPO", "GIF")

_heif_registered = False


def _register_heif() -> None:
    """Teach Pillow HEIC/HEIF (phone photos) on first use, not at import."""
    global _heif_registered
    if not _heif_registered:
        from pillow_heif import register_heif_opener

        register_heif_opener()
        _heif_registered = True


def load_image(
    source: ImageSource,
    *,
    name: str | None = None,
    mm_per_px: float | None = None,
    max_pixels: int = MAX_PIXELS,
    max_bytes: int = MAX_BYTES,
) -> SkinImage:
    """Load ``source`` as an oriented 8-bit RGB ``SkinImage``.

    ``name`` labels the image in messages and JSON (defaults to the path, or
    ``"<bytes>"`` / ``"<array>"``). Raises ``InvalidInputError`` (or its
    subclass ``ImageTooLargeError``) with a message naming the input.
    """
    if mm_per_px is not None and not (mm_per_px > 0 and np.isfinite(mm_per_px)):
        raise InvalidInputError(f"mm_per_px must be a positive number, got {mm_per_px!r}")
    if isinstance(source, np.ndarray):
        label = name or "<array>"
        pixels = _array_to_rgb(source, label, max_pixels)
        data = pixels.tobytes()
        return SkinImage(pixels, label, hashlib.sha256(data).hexdigest(), mm_per_px, None)
    if isinstance(source, (bytes, bytearray)):
        label = name or "<bytes>"
        data = bytes(source)
    elif isinstance(source, (str, Path)):
        path = Path(source)
        label = name or str(path)
        if not path.exists():
            raise InvalidInputError(f"{label}: file not found")
        if path.is_dir():
            raise InvalidInputError(f"{label}: is a directory, not an image file")
        size = path.stat().st_size
        if size > max_bytes:
            raise ImageTooLargeError(f"{label}: file is {size / 1e6:.1f} MB, over the {max_bytes / 1e6:.0f} MB limit")
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise InvalidInputError(f"{label}: cannot read file ({exc.strerror or exc})") from exc
    else:
        raise InvalidInputError(f"image must be a path, bytes or an RGB array, got {type(source).__name__}")
    if len(data) == 0:
        raise InvalidInputError(f"{label}: file is empty (0 bytes)")
    if len(data) > max_bytes:
        raise ImageTooLargeError(f"{label}: {len(data) / 1e6:.1f} MB, over the {max_bytes / 1e6:.0f} MB limit")
    pixels, fmt = _decode(data, label, max_pixels)
    return SkinImage(pixels, label, hashlib.sha256(data).hexdigest(), mm_per_px, fmt)


def _decode(data: bytes, label: str, max_pixels: int) -> tuple[np.ndarray, str | None]:
    from PIL import Image, ImageOps, UnidentifiedImageError

    if data[4:12] in (b"ftypheic", b"ftypheix", b"ftyphevc", b"ftypmif1", b"ftypmsf1", b"ftypheif", b"ftypavif"):
        _register_heif()
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            img = Image.open(_io.BytesIO(data))
        except UnidentifiedImageError:
            raise InvalidInputError(f"{label}: not a supported image (JPEG, PNG, WebP, TIFF, BMP, HEIC)") from None
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ImageTooLargeError(f"{label}: image has too many pixels (decompression bomb?)") from None
        except (OSError, SyntaxError, ValueError) as exc:
            raise InvalidInputError(f"{label}: cannot read image ({exc})") from None
        fmt = img.format
        w, h = img.size
        if w * h > max_pixels:
            raise ImageTooLargeError(f"{label}: {w}x{h} = {w * h / 1e6:.0f} MP, "
                                     f"over the {max_pixels / 1e6:.0f} MP limit")
        if w == 0 or h == 0:
            raise InvalidInputError(f"{label}: image has no pixels ({w}x{h})")
        try:
            img.load()
            img = ImageOps.exif_transpose(img) or img
            rgb = _pil_to_rgb(img, data, label)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ImageTooLargeError(f"{label}: image has too many pixels (decompression bomb?)") from None
        except (OSError, SyntaxError, ValueError) as exc:
            reason = "file is truncated or corrupt" if "truncated" in str(exc) or "broken" in str(exc) else str(exc)
            raise InvalidInputError(f"{label}: cannot decode image ({reason})") from None
    return rgb, fmt


def _pil_to_rgb(img: "Image.Image", data: bytes, label: str) -> np.ndarray:
    """8-bit RGB from any Pillow mode: 16/32-bit gray is rescaled, alpha is composited on white."""
    from PIL import Image

    mode = img.mode
    if mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        arr = np.asarray(img, dtype=np.float64)
        top = 65535.0 if mode.startswith("I;16") or arr.max() > 255 else 255.0
        gray = np.clip(arr / top * 255.0 + 0.5, 0, 255).astype(np.uint8)
        return np.repeat(gray[:, :, None], 3, axis=2)
    if mode in ("RGBA", "LA", "PA") or (mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return np.asarray(Image.alpha_composite(white, rgba).convert("RGB")).copy()
    return np.asarray(img.convert("RGB")).copy()


def _array_to_rgb(array: np.ndarray, label: str, max_pixels: int) -> np.ndarray:
    """Validate and convert a caller's array: (H, W) gray or (H, W, 3|4) RGB(A)."""
    if array.ndim == 2:
        array = np.repeat(array[:, :, None], 3, axis=2)
    if array.ndim != 3 or array.shape[2] not in (3, 4):
        raise InvalidInputError(f"{label}: array must be (H, W), (H, W, 3) or (H, W, 4), got shape {array.shape}")
    h, w = array.shape[:2]
    if h == 0 or w == 0:
        raise InvalidInputError(f"{label}: array has no pixels ({w}x{h})")
    if h * w > max_pixels:
        raise ImageTooLargeError(f"{label}: {w}x{h} over the {max_pixels / 1e6:.0f} MP limit")
    if array.dtype == np.uint16:
        array = (array.astype(np.float32) / 257.0 + 0.5).astype(np.uint8)
    elif np.issubdtype(array.dtype, np.floating):
        if not np.isfinite(array).all():
            raise InvalidInputError(f"{label}: array contains NaN or infinity")
        scale = 255.0 if array.max() <= 1.0 else 1.0
        array = np.clip(array * scale + 0.5, 0, 255).astype(np.uint8)
    elif array.dtype != np.uint8:
        raise InvalidInputError(f"{label}: array dtype must be uint8, uint16 or float, got {array.dtype}")
    if array.shape[2] == 4:
        alpha = array[:, :, 3:4].astype(np.float32) / 255.0
        array = (array[:, :, :3] * alpha + 255.0 * (1 - alpha) + 0.5).astype(np.uint8)
    return np.ascontiguousarray(array[:, :, :3])
