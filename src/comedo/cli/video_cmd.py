"""``comedo video CLIP``: timeline.json, timeline.png, keyframes.png and the before/after comparison."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import typer

from comedo.cli.errors import error_code, print_error
from comedo.cli.outputs import os_error_line, output_dir
from comedo.errors import ComedoError


def run_video(clip: Path, *, every: float, out: Path | None, detector: str) -> int:
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    from comedo.workflows.video import Timeline, find_events, iter_video
    from comedo.workflows.video_frames import video_info

    console = Console(stderr=True)
    try:
        if out is not None:
            output_dir(out)  # before minutes of decoding, not after them
        fps, duration = video_info(clip)
        timeline = Timeline(str(clip), round(duration, 3), round(fps, 3), every)
        holder: dict = {}
        columns = [TextColumn("[progress.description]{task.description}"), BarColumn(),
                   TextColumn("{task.completed:.1f}/{task.total:.1f} s"), TimeRemainingColumn()]
        with Progress(*columns, console=console, transient=True) as bar:
            task = bar.add_task("analysing video", total=max(duration, every))
            for frame in iter_video(clip, every_s=every, detector=detector,
                                    on_reference=lambda ref: holder.setdefault("ref", ref)):
                timeline.frames.append(frame)
                bar.update(task, completed=min(frame.t_s, duration or frame.t_s))
        timeline.treated_lesion = holder.get("ref")
        if not timeline.frames:
            raise ComedoError(f"{clip}: no frames could be decoded")
        timeline.duration_s = max(timeline.duration_s, timeline.frames[-1].t_s)
        timeline.events = find_events(timeline.frames)
    except ComedoError as exc:
        return error_code(exc)
    ev = ", ".join(f"{e.kind} at {e.t_s:.1f}s ({e.confidence:.2f})" for e in timeline.events) or "none"
    typer.echo(f"{clip}: {len(timeline.frames)} frames analysed over {timeline.duration_s:.1f} s; events: {ev}")
    if out is not None:
        try:
            write_video_outputs(clip, timeline, out, detector)
        except ComedoError as exc:
            return error_code(exc)
        except OSError as exc:
            print_error(os_error_line(exc, out))
            return 1
        typer.echo(f"  wrote {out / 'timeline.json'}, timeline.png, keyframes.png")
    return 0


def write_video_outputs(clip: Path, timeline, out: Path, detector: str) -> None:  # type: ignore[no-untyped-def]
    from comedo.files import write_atomic
    from comedo.io import encode_png
    from comedo.pipeline import analyze
    from comedo.render.compare_images import side_by_side
    from comedo.render.timeline_chart import contact_sheet, timeline_chart
    from comedo.workflows.compare import compare, comparison_document
    from comedo.workflows.video_frames import frames_at

    doc = {"schema_version": "1.0", "source": timeline.source, "duration_s": timeline.duration_s,
           "fps": timeline.fps, "every_s": timeline.every_s, "treated_lesion": timeline.treated_lesion,
           "frames": [asdict(f) for f in timeline.frames], "events": [asdict(e) for e in timeline.events],
           "disclaimer": "comedo is not a medical device."}
    frames = timeline.frames
    first = min((e.t_s for e in timeline.events), default=None)
    last = max((e.t_s for e in timeline.events), default=None)
    sharp = [f for f in frames if not f.blurry] or frames
    if first is None or last is None:  # no events: the sharpest frame of the first and of the last third, so
        third = max(1, len(sharp) // 3)  # "before" and "after" are never one frame compared with itself
        early, late = sharp[:third], sharp[-third:] if len(sharp) > 1 else sharp
        before = max(early, key=lambda f: f.sharpness)
        after = max((f for f in late if f.t_s > before.t_s), key=lambda f: f.sharpness, default=frames[-1])
    else:
        before = max((f for f in sharp if f.t_s < first), key=lambda f: f.sharpness, default=frames[0])
        after = max((f for f in sharp if f.t_s > last), key=lambda f: f.sharpness, default=frames[-1])
    release = next((e for e in timeline.events if e.kind == "release"), None)
    picks = [("before", before.t_s)] + ([("release", release.t_s)] if release else []) + [("after", after.t_s)]
    picked = frames_at(clip, [t for _, t in picks])
    images = [(f"{name} {t:.1f}s", img) for (name, t), img in zip(picks, picked, strict=True)]
    sheet = contact_sheet([(label, img) for label, img in images if img is not None])
    doc["keyframes"] = {name: t for name, t in picks}
    b_img, a_img = images[0][1], images[-1][1]
    if b_img is not None and a_img is not None:
        b = analyze(b_img, detector=detector, name=f"{clip.name}@{before.t_s:.2f}s")
        a = analyze(a_img, detector=detector, name=f"{clip.name}@{after.t_s:.2f}s")
        comp = compare(b, a)
        doc["comparison"] = comparison_document(b, a, comp)
        if comp.registration.ok:
            write_atomic(out / "before_after.png", encode_png(side_by_side(b, a, comp)))
    write_atomic(out / "timeline.json", (json.dumps(doc, indent=2) + "\n").encode())
    for name, img in (("timeline.png", timeline_chart(timeline)), ("keyframes.png", sheet)):
        write_atomic(out / name, encode_png(img))
