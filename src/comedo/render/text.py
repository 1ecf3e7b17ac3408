"""Text on images in a TrueType font (DejaVu Sans, shipped in ``comedo/render/fonts``, Bitstream Vera licence):
it scales with the image and measures exactly, where OpenCV's Hershey glyphs did neither. Pillow draws it."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np

__all__ = ["TextLayer", "text_width", "font"]

RGB = tuple[int, int, int]


@lru_cache(maxsize=32)
def font(size_px: int) -> Any:
    from PIL import ImageFont

    path = resources.files("comedo.render") / "fonts" / "DejaVuSans.ttf"
    return ImageFont.truetype(str(path), max(6, int(size_px)))


def text_width(text: str, size_px: int) -> int:
    return int(round(font(size_px).getlength(text)))


def text_box(text: str, size_px: int) -> tuple[int, int]:
    """(width, height) of ``text`` drawn at ``size_px``: the height from the top of capitals to the baseline."""
    left, top, right, bottom = font(size_px).getbbox(text, anchor="ls")
    return int(right - left), int(-top)


class TextLayer:
    """Text drawn onto an RGB uint8 image in one Pillow pass: ``add`` what to write, then ``draw`` returns the
    image with it (the input is not changed). ``xy`` is the text's left end on its baseline."""

    def __init__(self) -> None:
        self._items: list[tuple[str, tuple[int, int], int, RGB, RGB | None]] = []

    def add(self, text: str, xy: tuple[int, int], size_px: int, colour: RGB, outline: RGB | None = None) -> None:
        self._items.append((text, xy, size_px, colour, outline))

    def draw(self, image: np.ndarray) -> np.ndarray:
        if not self._items:
            return image
        from PIL import Image, ImageDraw

        canvas = Image.fromarray(image)
        pen = ImageDraw.Draw(canvas)
        for text, xy, size, colour, outline in self._items:
            stroke = max(1, size // 8) if outline is not None else 0
            pen.text(xy, text, font=font(size), fill=colour, anchor="ls", stroke_width=stroke,
                     stroke_fill=outline)
        return np.asarray(canvas).copy()
