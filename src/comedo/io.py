"""Safe image loading: the only place that decodes files and the only place BGR exists.

Accepts a path, bytes or an RGB array; applies EXIF orientation; converts
grayscale, palette, CMYK, 16-bit and alpha images to 8-bit RGB; rejects empty,
truncated, non-image and oversized input with ``InvalidInputError``.
"""

from __future__ import annotations

import errno
import hashlib
import io as _io
import os
import stat
import sys
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Union

import numpy as np

from comedo.errors import ComedoError, ImageTooLargeError, InvalidInputError
from comedo.exif import ORIENTATIONS, capture_time
from comedo.types import SkinImage

if TYPE_CHECKING:
    from PIL import Image

__all__ = ["load_image", "encode_png", "encode_jpeg", "read_bounded", "check_dimensions", "ImageSource", "MAX_PIXELS",
           "MAX_BYTES",
           "SUPPORTED_FORMATS", "MIN_SIDE_PX", "MAX_ASPECT", "STDIN"]

ImageSource = Union[str, Path, bytes, bytearray, np.ndarray]

MAX_PIXELS = 100_000_000  # a 100 MP phone photo; decompression bombs are far larger
MAX_BYTES = 100 * 1024 * 1024
MIN_SIDE_PX = 32  # the working copies (320 px, the detector's input) need a few pixels on the short side
MAX_ASPECT = 8.0  # a panorama strip or a 1-pixel line is not a skin photo
# Declared pixels per byte of JPEG data above which its header is taken to lie (a forged or truncated file, whose
# missing rows libjpeg fills with grey): a JPEG spends at least about a byte per 8x8 block, so even a single-colour
# 12 MP or 81 MP JPEG holds one byte per 64 pixels (measured with Pillow at quality 30 and 75).
MAX_JPEG_PIXELS_PER_BYTE = 500
STDIN = "-"  # the path that reads the photo from standard input
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
        if str(source) == STDIN:
            label = name or "<stdin>"
            data = _read_stream(sys.stdin.buffer, label, max_bytes)
        else:
            label = name or str(source)
            data = read_bounded(Path(source), label, max_bytes, what="image file")
    else:
        raise InvalidInputError(f"image must be a path, bytes or an RGB array, got {type(source).__name__}")
    if len(data) == 0:
        raise InvalidInputError(f"{label}: file is empty (0 bytes)")
    if len(data) > max_bytes:
        raise ImageTooLargeError(f"{label}: {format_size(len(data))}, over the {format_size(max_bytes)} limit")
    pixels, fmt, taken_at = _decode(data, label, max_pixels)
    check_dimensions(pixels.shape[1], pixels.shape[0], label)
    return SkinImage(pixels, label, hashlib.sha256(data).hexdigest(), mm_per_px, fmt, taken_at)


def format_size(n_bytes: int) -> str:
    """A byte count for a message, in the unit that shows it: "64 KB", "100 MB" (the 64 KB answers limit in
    MB read "0 MB"). Units of 1024, as the limits are set (``MAX_BYTES`` is 100 * 1024 * 1024: "100 MB")."""
    for unit, size in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if n_bytes >= size:
            value = n_bytes / size
            return f"{value:.0f} {unit}" if value >= 10 or value == int(value) else f"{value:.1f} {unit}"
    return f"{n_bytes} bytes"


def check_dimensions(width: int, height: int, label: str) -> None:
    """Refuse an image too small or too thin for the pipeline (``MIN_SIDE_PX``, ``MAX_ASPECT``)."""
    short, long = min(width, height), max(width, height)
    if short < MIN_SIDE_PX or long > MAX_ASPECT * short:
        raise InvalidInputError(f"{label}: image is {width}x{height} px; comedo needs at least {MIN_SIDE_PX} px on "
                                f"the short side and at most {MAX_ASPECT:.0f}:1 between the sides")


def read_bounded(path: Path, label: str, max_bytes: int, *, what: str = "file") -> bytes:
    """The bytes of a regular file of at most ``max_bytes``: FIFOs, devices and sockets are refused before
    reading (``st_size`` says nothing of them), and reading stops past the limit whatever the size said."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise InvalidInputError(f"{label}: {what} not found") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise InvalidInputError(f"{label}: symbolic link loop") from None
        raise InvalidInputError(f"{label}: cannot read {what} ({exc.strerror or exc})") from None
    if stat.S_ISDIR(info.st_mode):
        raise InvalidInputError(f"{label}: is a directory, not an {what}" if what[0] in "aeiou" else
                                f"{label}: is a directory, not a {what}")
    if not stat.S_ISREG(info.st_mode):
        raise InvalidInputError(f"{label}: not a regular file (a pipe, device or socket); give a {what} path")
    if info.st_size > max_bytes:
        raise ImageTooLargeError(f"{label}: file is {format_size(info.st_size)}, over the "
                                 f"{format_size(max_bytes)} limit")
    try:
        with open(path, "rb") as handle:
            return _read_stream(handle, label, max_bytes)
    except OSError as exc:
        raise InvalidInputError(f"{label}: cannot read {what} ({exc.strerror or exc})") from None


def _read_stream(handle: _io.BufferedIOBase | _io.RawIOBase, label: str, max_bytes: int) -> bytes:
    data = handle.read(max_bytes + 1) or b""
    if len(data) > max_bytes:
        raise ImageTooLargeError(f"{label}: over the {format_size(max_bytes)} limit")
    return bytes(data)


def _decode(data: bytes, label: str, max_pixels: int) -> tuple[np.ndarray, str | None, str | None]:
    from PIL import Image, ImageOps, UnidentifiedImageError

    if data[4:12] in (b"ftypheic", b"ftypheix", b"ftyphevc", b"ftypmif1", b"ftypmsf1", b"ftypheif", b"ftypavif"):
        _register_heif()
    with warnings.catch_warnings():
        # Pillow warns from 89.5 MP; comedo's own limit (max_pixels, 100 MP) is checked below, and Pillow's
        # DecompressionBombError (twice its limit) still stops a bomb before any pixel is decoded.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            img = Image.open(_io.BytesIO(data))
        except UnidentifiedImageError:
            raise InvalidInputError(f"{label}: not a supported image (JPEG, PNG, WebP, TIFF, BMP, HEIC)") from None
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ImageTooLargeError(f"{label}: image has too many pixels (decompression bomb?)") from None
        except (OSError, SyntaxError, ValueError) as exc:
            raise InvalidInputError(f"{label}: cannot read image ({_one_line(exc)})") from None
        fmt = img.format
        taken_at = capture_time(img)
        w, h = img.size
        if w * h > max_pixels:
            raise ImageTooLargeError(f"{label}: {w}x{h} = {w * h / 1e6:.0f} MP, "
                                     f"over the {max_pixels / 1e6:.0f} MP limit")
        if w == 0 or h == 0:
            raise InvalidInputError(f"{label}: image has no pixels ({w}x{h})")
        check_dimensions(w, h, label)  # before decoding: a 10000x2 strip costs nothing to refuse
        if fmt in ("JPEG", "MPO") and w * h > MAX_JPEG_PIXELS_PER_BYTE * len(data):
            raise InvalidInputError(f"{label}: the header declares {w}x{h} px but the file holds only "
                                    f"{len(data) / 1e3:.0f} KB: truncated or forged")
        try:
            fast = _decode_jpeg_fast(img, data) if fmt == "JPEG" else None
            if fast is not None:
                return fast, fmt, taken_at
            img.load()
            img = ImageOps.exif_transpose(img) or img
            rgb = _pil_to_rgb(img, data, label)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ImageTooLargeError(f"{label}: image has too many pixels (decompression bomb?)") from None
        except (OSError, SyntaxError, ValueError) as exc:
            text = _one_line(exc)
            reason = "file is truncated or corrupt" if "truncated" in text or "broken" in text else text
            raise InvalidInputError(f"{label}: cannot decode image ({reason})") from None
    return rgb, fmt, taken_at


def _decode_jpeg_fast(img: "Image.Image", data: bytes) -> np.ndarray | None:
    """An RGB baseline JPEG decoded by OpenCV's libjpeg-turbo: the same pixels as Pillow (checked on the sample,
    ACNE04 and lesion-type photos) at half the time on a 12 MP photo, as Pillow's decode, orientation and array
    conversion each copy it. None (use Pillow) for other modes (CMYK, gray) and for a file that does not end
    with the end-of-image marker, so truncation is still Pillow's clear error."""
    import cv2

    if img.mode != "RGB" or not data.rstrip(b"\x00").endswith(b"\xff\xd9"):
        return None
    bgr = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR | cv2.IMREAD_IGNORE_ORIENTATION)
    if bgr is None or bgr.shape[:2] != (img.height, img.width):
        return None
    orientation = img.getexif().get(0x0112, 1)
    rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
    return np.ascontiguousarray(ORIENTATIONS[orientation](rgb)) if orientation in ORIENTATIONS else rgb


def _one_line(exc: BaseException, limit: int = 200) -> str:
    """A decoder's message on one line, cut to ``limit`` characters (libheif's span several)."""
    text = " ".join(str(exc).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


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
    check_dimensions(w, h, label)
    if array.shape[2] == 4:
        alpha = array[:, :, 3:4].astype(np.float32) / 255.0
        array = (array[:, :, :3] * alpha + 255.0 * (1 - alpha) + 0.5).astype(np.uint8)
    return np.ascontiguousarray(array[:, :, :3])


def encode_png(image: np.ndarray) -> bytes:
    """PNG bytes of an (H, W, 3) RGB or (H, W, 4) RGBA uint8 image: the one place pixels leave as PNG (OpenCV's
    BGR order stays in this module)."""
    import cv2

    bgr = cv2.cvtColor(image, cv2.COLOR_RGBA2BGRA) if image.shape[2] == 4 else np.ascontiguousarray(image[..., ::-1])
    ok, data = cv2.imencode(".png", bgr)
    if not ok:
        raise ComedoError(f"could not encode a {image.shape[1]}x{image.shape[0]} image as PNG")
    return data.tobytes()


def encode_jpeg(rgb: np.ndarray, *, quality: int = 90) -> bytes:
    """JPEG bytes of an (H, W, 3) RGB uint8 image, pixels only (no EXIF, so no location, survives)."""
    import cv2

    ok, data = cv2.imencode(".jpg", np.ascontiguousarray(rgb[..., ::-1]), [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise ComedoError(f"could not encode a {rgb.shape[1]}x{rgb.shape[0]} image as JPEG")
    return data.tobytes()
