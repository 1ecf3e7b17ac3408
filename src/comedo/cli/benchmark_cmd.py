"""``comedo benchmark``: end-to-end and per-stage timings at two photo sizes.

End to end means from the encoded file's bytes to a finished ``Analysis``
(decode, orientation, every stage); JSON and PNG writing are not included.
The 12 MP case is the sample upscaled to 4000x3000 and re-encoded as JPEG, so
decoding a real phone-sized file is part of the figure.
"""

from __future__ import annotations

import io
import os
import platform
import statistics
import time
from importlib import resources
from pathlib import Path

import typer

from comedo.cli.errors import error_code
from comedo.errors import ComedoError


def sample_path() -> Path:
    return Path(str(resources.files("comedo") / "samples" / "face_acne04.jpg"))


def _jpeg(rgb, quality: int = 92) -> bytes:  # type: ignore[no-untyped-def]
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, format="JPEG", quality=quality)
    return buf.getvalue()


def run_benchmark(*, repeat: int, detector: str, image: Path | None) -> int:
    import cv2

    from comedo.io import load_image
    from comedo.pipeline import analyze

    try:
        base = load_image(image or sample_path())
    except ComedoError as exc:
        return error_code(exc)
    small = cv2.resize(base.pixels, (640, 640), interpolation=cv2.INTER_AREA)
    large = cv2.resize(base.pixels, (4000, 3000), interpolation=cv2.INTER_CUBIC)
    cases = {"640x640": _jpeg(small), "4000x3000 (12 MP)": _jpeg(large)}
    typer.echo(f"comedo benchmark: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
               f"detector={detector}, {repeat} runs each (median)")
    analyze(cases["640x640"], detector=detector)  # warm-up: model load, first-call allocations
    for label, data in cases.items():
        totals, stages = [], {}
        for _ in range(repeat):
            t = time.perf_counter()
            result = analyze(data, detector=detector)
            totals.append((time.perf_counter() - t) * 1000)
            for k, v in result.timings_ms.items():
                stages.setdefault(k, []).append(v)
        median = statistics.median(totals)
        stage_txt = ", ".join(f"{k} {statistics.median(v):.1f}" for k, v in stages.items())
        typer.echo(f"{label}: {median:.1f} ms end to end ({1000 / median:.2f} images/s); "
                   f"p90 {sorted(totals)[int(0.9 * (len(totals) - 1))]:.1f} ms")
        typer.echo(f"  stages (ms): {stage_txt}")
    return 0
