"""What comedo reads from a photo's EXIF block: the orientation that shows it upright and when it was taken.
Location and every other tag are never read, and stored copies are re-encoded from pixels, so none survives."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from PIL import Image

__all__ = ["ORIENTATIONS", "capture_time"]

_EXIF_IFD, _DATE_TIME_ORIGINAL, _OFFSET_TIME_ORIGINAL, _DATE_TIME = 0x8769, 0x9003, 0x9011, 0x0132


def capture_time(img: Image.Image) -> str | None:
    """When the photo was taken, from its EXIF (DateTimeOriginal, else DateTime) as ISO 8601 ("2026-05-02T14:03:11",
    with the UTC offset when the camera wrote one); None without a readable date. Read for the report's header
    and the document: a clinic files a photo by the day it was taken, not the day it was analysed."""
    try:
        exif = img.getexif()
        sub = exif.get_ifd(_EXIF_IFD)
        raw = sub.get(_DATE_TIME_ORIGINAL) or exif.get(_DATE_TIME)
        offset = sub.get(_OFFSET_TIME_ORIGINAL) if sub.get(_DATE_TIME_ORIGINAL) else None
    except Exception:  # a broken EXIF block must not stop the analysis of good pixels
        return None
    if not isinstance(raw, str):
        return None
    match = re.fullmatch(r"\s*(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})\s*", raw.strip("\x00"))
    if match is None or match.group(1) == "0000":
        return None
    y, mo, d, hh, mi, ss = match.groups()
    stamp = f"{y}-{mo}-{d}T{hh}:{mi}:{ss}"
    if isinstance(offset, str) and re.fullmatch(r"[+-]\d{2}:\d{2}", offset.strip("\x00").strip()):
        stamp += offset.strip("\x00").strip()
    return stamp


# EXIF orientation -> the numpy view that shows the photo upright (as Pillow's ImageOps.exif_transpose).
ORIENTATIONS = {
    2: lambda a: a[:, ::-1], 3: lambda a: a[::-1, ::-1], 4: lambda a: a[::-1],
    5: lambda a: a.transpose(1, 0, 2), 6: lambda a: np.rot90(a, -1), 7: lambda a: np.rot90(a, 2).transpose(1, 0, 2),
    8: lambda a: np.rot90(a, 1),
}
