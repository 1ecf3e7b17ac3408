"""Loading: every format, orientation, mode conversion and bad-input kind."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from comedo.errors import ImageTooLargeError, InvalidInputError
from comedo.io import load_image


def _rgb(h: int = 40, w: int = 60) -> np.ndarray:
    rng = np.random.default_rng(0)
    return rng.integers(0, 255, (h, w, 3), dtype=np.uint8)


def _save(img: Image.Image, fmt: str, **kw: object) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format=fmt, **kw)
    return buf.getvalue()


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "TIFF", "BMP"])
def test_common_formats_load_as_rgb(fmt: str) -> None:
    data = _save(Image.fromarray(_rgb()), fmt)
    img = load_image(data)
    assert img.pixels.shape == (40, 60, 3)
    assert img.pixels.dtype == np.uint8
    assert img.original_format == fmt


def test_heic_loads() -> None:
    from pillow_heif import register_heif_opener

    register_heif_opener()
    data = _save(Image.fromarray(_rgb(64, 96)), "HEIF", quality=90)
    img = load_image(data)
    assert img.pixels.shape == (64, 96, 3)


def test_lossless_png_pixels_are_exact() -> None:
    arr = _rgb()
    assert np.array_equal(load_image(_save(Image.fromarray(arr), "PNG")).pixels, arr)


def test_exif_orientation_is_applied() -> None:
    arr = np.zeros((40, 60, 3), np.uint8)
    arr[:, :10] = (255, 0, 0)  # red band on the left
    img = Image.fromarray(arr)
    exif = img.getexif()
    exif[0x0112] = 6  # rotate 90 CW to display
    loaded = load_image(_save(img, "JPEG", exif=exif, quality=95))
    assert loaded.pixels.shape == (60, 40, 3)
    top = loaded.pixels[:10].reshape(-1, 3).mean(axis=0)
    assert top[0] > 200 and top[1] < 60  # the band is now on top


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_the_capture_time_is_read_from_exif_and_kept_in_the_document(fmt: str) -> None:
    from comedo.schema import from_document, to_document

    img = Image.new("RGB", (64, 48), (200, 150, 130))
    exif = Image.Exif()
    exif.get_ifd(0x8769)[0x9003] = "2026:05:02 14:03:11"  # DateTimeOriginal
    exif.get_ifd(0x8769)[0x9011] = "+02:00"  # OffsetTimeOriginal
    exif[0x0132] = "2026:06:01 09:00:00"  # DateTime (edited later): the original wins
    buf = io.BytesIO()
    img.save(buf, format=fmt, exif=exif)
    loaded = load_image(buf.getvalue())
    assert loaded.taken_at == "2026-05-02T14:03:11+02:00"
    import comedo

    analysis = comedo.analyze(loaded, detector="classical")
    doc = to_document(analysis).model_dump(mode="json")
    assert doc["image"]["taken_at"] == "2026-05-02T14:03:11+02:00"
    assert from_document(doc, loaded.pixels).image.taken_at == loaded.taken_at


def test_a_photo_without_a_date_or_with_a_blank_one_has_none() -> None:
    for stamp in (None, "0000:00:00 00:00:00", "not a date"):
        exif = Image.Exif()
        if stamp:
            exif[0x0132] = stamp
        buf = io.BytesIO()
        Image.new("RGB", (64, 48), (200, 150, 130)).save(buf, format="JPEG", exif=exif)
        assert load_image(buf.getvalue()).taken_at is None


def test_grayscale_becomes_rgb() -> None:
    gray = _rgb()[..., 0]
    loaded = load_image(_save(Image.fromarray(gray, "L"), "PNG"))
    assert loaded.pixels.shape == (40, 60, 3)
    assert np.array_equal(loaded.pixels[..., 0], gray) and np.array_equal(loaded.pixels[..., 2], gray)


def test_sixteen_bit_gray_is_rescaled() -> None:
    arr = np.full((40, 48), 65535 // 2, np.uint16)
    loaded = load_image(_save(Image.fromarray(arr), "PNG"))
    assert abs(int(loaded.pixels[0, 0, 0]) - 128) <= 1


def test_sixteen_bit_rgb_tiff(tmp_path: Path) -> None:
    import cv2

    arr = np.zeros((40, 48, 3), np.uint16)
    arr[...] = (1000 * 257 // 10, 50 * 257, 200 * 257)  # B, G, R for OpenCV
    path = tmp_path / "rgb16.tif"
    cv2.imwrite(str(path), arr)
    px = load_image(path).pixels[0, 0]
    assert abs(int(px[0]) - 200) <= 1 and abs(int(px[1]) - 50) <= 1 and abs(int(px[2]) - 100) <= 1


def test_cmyk_becomes_rgb() -> None:
    loaded = load_image(_save(Image.new("CMYK", (40, 32), (0, 255, 255, 0)), "JPEG"))
    r, g, b = loaded.pixels[16, 20]
    assert r > 200 and g < 60 and b < 60


def test_alpha_is_composited_on_white() -> None:
    rgba = np.zeros((32, 32, 4), np.uint8)
    rgba[..., 0] = 255
    rgba[:16, :, 3] = 255  # top half opaque red, bottom transparent
    loaded = load_image(_save(Image.fromarray(rgba, "RGBA"), "PNG"))
    assert tuple(loaded.pixels[0, 0]) == (255, 0, 0)
    assert tuple(loaded.pixels[31, 0]) == (255, 255, 255)


def test_array_and_bytes_inputs() -> None:
    arr = _rgb()
    assert np.array_equal(load_image(arr).pixels, arr)
    assert load_image(arr.astype(np.float32) / 255).pixels.shape == arr.shape
    with pytest.raises(InvalidInputError, match="shape"):
        load_image(np.zeros((4, 4, 5), np.uint8))
    with pytest.raises(InvalidInputError, match="dtype"):
        load_image(np.zeros((4, 4, 3), np.int64))


def test_sha256_is_of_the_file_bytes() -> None:
    import hashlib

    data = _save(Image.fromarray(_rgb()), "PNG")
    assert load_image(data).sha256 == hashlib.sha256(data).hexdigest()


def test_zero_byte_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.jpg"
    path.write_bytes(b"")
    with pytest.raises(InvalidInputError, match=r"empty\.jpg: file is empty"):
        load_image(path)


def test_truncated_file(tmp_path: Path) -> None:
    data = _save(Image.fromarray(_rgb(200, 300)), "JPEG")
    path = tmp_path / "cut.jpg"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(InvalidInputError, match=r"cut\.jpg: .*truncated or corrupt"):
        load_image(path)


def test_not_an_image(tmp_path: Path) -> None:
    path = tmp_path / "notes.jpg"
    path.write_text("this is not a photo\n" * 20)
    with pytest.raises(InvalidInputError, match=r"notes\.jpg: not a supported image"):
        load_image(path)


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="file not found"):
        load_image(tmp_path / "nope.png")
    with pytest.raises(InvalidInputError, match="is a directory"):
        load_image(tmp_path)


def test_too_many_pixels() -> None:
    data = _save(Image.new("RGB", (400, 300)), "PNG")
    with pytest.raises(ImageTooLargeError, match="over the"):
        load_image(data, max_pixels=100_000)


def test_decompression_bomb_header_is_rejected_before_decoding() -> None:
    # A 20000x20000 PNG of one colour compresses to a tiny file.
    data = _save(Image.new("L", (20000, 20000)), "PNG")
    assert len(data) < 2_000_000
    with pytest.raises(ImageTooLargeError):
        load_image(data, max_pixels=50_000_000)


def test_file_too_large(tmp_path: Path) -> None:
    path = tmp_path / "big.png"
    path.write_bytes(_save(Image.fromarray(_rgb(100, 100)), "PNG"))
    with pytest.raises(ImageTooLargeError, match="big.png: file is"):
        load_image(path, max_bytes=1000)


def test_bad_mm_per_px() -> None:
    with pytest.raises(InvalidInputError, match="mm_per_px"):
        load_image(_rgb(), mm_per_px=-1.0)


@pytest.mark.parametrize("size", [(10000, 2), (640, 1), (2, 2), (31, 400), (400, 49)])
def test_too_small_or_too_thin_is_one_clear_error(size: tuple[int, int]) -> None:
    data = _save(Image.new("RGB", size, (200, 150, 130)), "PNG")
    with pytest.raises(InvalidInputError, match=rf"image is {size[0]}x{size[1]} px; comedo needs at least 32 px"):
        load_image(data)
    with pytest.raises(InvalidInputError, match="at most 8:1"):
        load_image(np.zeros((size[1], size[0], 3), np.uint8))


def test_fifos_and_devices_are_refused_before_reading(tmp_path: Path) -> None:
    import os

    fifo = tmp_path / "photo.jpg"
    os.mkfifo(fifo)
    with pytest.raises(InvalidInputError, match="not a regular file"):
        load_image(fifo)  # would block forever if it were opened
    with pytest.raises(InvalidInputError, match="not a regular file"):
        load_image("/dev/zero")


def test_a_symlink_loop_is_named(tmp_path: Path) -> None:
    (tmp_path / "a.jpg").symlink_to(tmp_path / "b.jpg")
    (tmp_path / "b.jpg").symlink_to(tmp_path / "a.jpg")
    with pytest.raises(InvalidInputError, match="symbolic link loop"):
        load_image(tmp_path / "a.jpg")


def test_a_header_that_lies_about_its_size_is_refused() -> None:
    # A real 9000x9000 header over 50 KB of data: decoders fill the missing rows with grey.
    big = _save(Image.new("RGB", (9000, 9000), (200, 150, 130)), "JPEG")
    head = big[:50_000]
    with pytest.raises(InvalidInputError, match="declares 9000x9000 px but the file holds only 50 KB"):
        load_image(head)


def test_the_documented_100_mp_limit_is_the_real_one() -> None:
    from comedo.io import MAX_PIXELS

    with pytest.raises(InvalidInputError, match="MP limit"):
        load_image(_save(Image.new("L", (10_001, 10_000)), "PNG"))
    assert MAX_PIXELS == 100_000_000  # 90 MP (over Pillow's own 89.5 MP warning) would now load


@pytest.mark.parametrize("orientation", range(1, 9))
def test_fast_jpeg_decoding_matches_pillow_for_every_orientation(orientation: int) -> None:
    """RGB JPEGs are decoded by OpenCV (half the time at 12 MP): the same pixels, upright, as Pillow gives."""
    from PIL import ImageOps

    rng = np.random.default_rng(orientation)
    base = (rng.random((48, 80, 3)) * 255).astype(np.uint8)
    base[:10, :20] = 255  # a corner marker, so a wrong turn or flip shows
    img = Image.fromarray(base)
    exif = img.getexif()
    exif[0x0112] = orientation
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=95, exif=exif.tobytes())
    data = buf.getvalue()
    expected = np.asarray(ImageOps.exif_transpose(Image.open(io.BytesIO(data))).convert("RGB"))
    assert np.array_equal(load_image(data).pixels, expected)
    truncated = data[: len(data) * 2 // 3]  # no end-of-image marker: Pillow's path, and its clear error
    with pytest.raises(InvalidInputError, match="truncated or corrupt"):
        load_image(truncated)
