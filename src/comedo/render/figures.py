"""The matplotlib figures' one way in and out (Agg canvas, no pyplot, so safe in the server's threads): a new
figure of a given pixel width and a finished one as an RGB array. matplotlib is imported only here and by the
chart modules that call these."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["new_figure", "figure_rgb", "DPI"]

DPI = 100


def new_figure(width_px: int, height_px: int) -> Any:
    """A constrained-layout figure of ``width_px`` x ``height_px`` with its Agg canvas attached."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width_px / DPI, height_px / DPI), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def figure_rgb(fig: Any) -> np.ndarray:
    """The drawn figure as RGB uint8 (H, W, 3)."""
    fig.canvas.draw()
    return np.ascontiguousarray(np.asarray(fig.canvas.buffer_rgba())[..., :3])
