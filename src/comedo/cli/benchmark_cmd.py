"""``comedo benchmark``: end-to-end and per-stage timings at two photo sizes.

End to end means from the encoded file's bytes to a finished ``Analysis`` and its JSON document (decode,
orientation, every stage, ``to_document``); writing files is not included. Beside the 640x640 figure it times
the lesion detector's bare ONNX Runtime forward pass on the same photos, interleaved run by run, so the
pipeline's overhead over its one unavoidable network reads from one run. The stages that run on the pipeline's
side thread (``comedo.pipeline.SIDE_STAGES``) are printed apart: their time overlaps the others'. ``--photos``
times a folder's photos (each resized to 640x640) instead of the bundled sample alone. The 12 MP case is the
first photo upscaled to 4000x3000 and re-encoded as JPEG, so decoding a real phone-sized file is part of the
figure.
"""

from __future__ import annotations

import io
import os
import platform
import statistics
import time
from importlib import resources
from pathlib import Path

import numpy as np
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


def run_benchmark(*, repeat: int, detector: str, image: Path | None, photos: Path | None = None) -> int:
    import cv2

    from comedo.detect.registry import get_detector
    from comedo.io import load_image
    from comedo.nets.session import session_threads
    from comedo.pipeline import SIDE_STAGES, analyze
    from comedo.schema import to_document

    try:
        paths = _photo_paths(photos) if photos is not None else [image or sample_path()]
        bases = [load_image(p).pixels for p in paths]
        det = get_detector(detector)
    except ComedoError as exc:
        return error_code(exc)
    small = [_jpeg(cv2.resize(b, (640, 640), interpolation=cv2.INTER_AREA)) for b in bases]
    large = _jpeg(cv2.resize(bases[0], (4000, 3000), interpolation=cv2.INTER_CUBIC))
    typer.echo(f"comedo benchmark: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
               f"detector={detector}, {len(small)} photo(s) x {repeat} runs (median)")

    def run(data: bytes) -> tuple[float, dict[str, float]]:
        t = time.perf_counter()
        result = analyze(data, detector=detector)
        to_document(result)
        return (time.perf_counter() - t) * 1000, result.timings_ms

    run(small[0])  # warm-up: model load, first-call allocations
    forward = getattr(det, "forward_ms", None)
    for label, cases in (("640x640", small), ("4000x3000 (12 MP)", [large])):
        totals, bare, stages = [], [], {}
        for _ in range(repeat):
            for data in cases:
                total, timings = run(data)
                totals.append(total)
                for k, v in timings.items():
                    stages.setdefault(k, []).append(v)
                if forward is not None and label == "640x640":
                    bare.append(forward(cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR),
                                        threads=session_threads()))
        median = statistics.median(totals)
        stage_txt = ", ".join(f"{k} {statistics.median(v):.1f}" for k, v in stages.items() if k not in SIDE_STAGES)
        side_txt = ", ".join(f"{k} {statistics.median(v):.1f}" for k, v in stages.items() if k in SIDE_STAGES)
        typer.echo(f"{label}: {median:.1f} ms end to end ({1000 / median:.2f} images/s); "
                   f"p90 {sorted(totals)[int(0.9 * (len(totals) - 1))]:.1f} ms")
        if bare:
            typer.echo(f"  detector forward alone ({session_threads()} threads): {statistics.median(bare):.1f} ms "
                       f"(end to end {median / statistics.median(bare):.1f}x)")
        typer.echo(f"  stages (ms): {stage_txt}; beside them on a side thread: {side_txt}")
    return 0


def _photo_paths(folder: Path) -> list[Path]:
    from comedo.files import IMAGE_SUFFIXES

    if not folder.is_dir():
        raise ComedoError(f"--photos {folder}: not a folder")
    found = sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)[:12]
    if not found:
        raise ComedoError(f"--photos {folder}: no photos in it")
    return found
