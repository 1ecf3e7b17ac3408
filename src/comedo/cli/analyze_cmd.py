"""``comedo analyze``: run the pipeline per photo, print a summary, write outputs."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import typer

from comedo.analysis import Analysis
from comedo.cli.errors import error_code, print_error
from comedo.cli.outputs import os_error_line, output_dir
from comedo.errors import ComedoError
from comedo.files import write_atomic


def summary_line(analysis: Analysis) -> str:
    """One short, human summary of an analysis."""
    from comedo.grade.severity import not_graded_short

    red = analysis.redness
    sev = analysis.severity
    parts = [
        f"{analysis.image.width}x{analysis.image.height}",
        f"skin {analysis.skin.fraction:.0%}",
        f"{sev.lesion_count} lesion{'s' if sev.lesion_count != 1 else ''}{_by_type(analysis)} "
        + (f"(Hayashi {(sev.hayashi_label or '').replace('_', ' ')})" if sev.graded else f"({not_graded_short(sev)})"),
        *([f"GAGS {sev.gags.score} ({sev.gags.label.replace('_', ' ')})"] if sev.gags is not None else []),
        f"{len(analysis.dark_spots)} dark spots",
        f"redness {red.grade.value} vs own skin (p90 delta a* {red.delta_p90:.1f})",
    ]
    quality = "quality ok" if analysis.quality.ok else "check photo: " + ", ".join(
        flag.replace("_", " ") for flag in analysis.quality.flags)
    line = ", ".join(parts) + "; " + quality
    if analysis.report is not None:
        line += f"; triage {analysis.report.triage.level.label.replace('_', '-')} (not a medical device)"
    return line


def _by_type(analysis: Analysis) -> str:
    """": 12 blackheads, 2 papules, 3 untyped" (empty when there are no lesions)."""
    from comedo.explain.describe import TYPE_NAMES_PLAIN

    labels = analysis.lesions.type_label.tolist()
    if not labels:
        return ""
    parts = []
    for kind, (one, many) in TYPE_NAMES_PLAIN.items():
        n = labels.count(kind)
        if n:
            short = (one if n == 1 else many).split(" (")[-1].rstrip(")")  # "blackheads", "papule"
            parts.append(f"{n} {short}")
    untyped = labels.count(None)
    if untyped:
        parts.append(f"{untyped} untyped")
    return ": " + ", ".join(parts)


def write_outputs(analysis: Analysis, doc: dict, out: Path, stem: str, layers: tuple[str, ...] | None = None,
                  ) -> tuple[Path, Path]:
    from comedo.io import encode_png
    from comedo.render.annotate import DEFAULT_LAYERS, annotate

    json_path, png_path = out / f"{stem}.json", out / f"{stem}.png"
    write_atomic(json_path, (json.dumps(doc, indent=2) + "\n").encode())
    write_atomic(png_path, encode_png(annotate(analysis, layers=layers or DEFAULT_LAYERS)))
    return json_path, png_path


def unique_stems(images: list[Path]) -> list[str]:
    """One output stem per photo, never two alike (compared case-blind, for case-insensitive file systems).

    A stem shared by several photos keeps their extensions (``a.jpg``, ``a.png``: ``a.jpg.json``,
    ``a.png.json``); a name given twice (the same file, or one name in two folders) gets ``-2``, ``-3``... after
    it, checked against every name of the run, so ``a.jpg a.png a-2.jpg`` cannot write ``a-2.*`` twice."""
    stems = [p.stem or "image" for p in images]
    shared = Counter(s.casefold() for s in stems)
    wanted = [s if shared[s.casefold()] == 1 else (p.name or "image") for s, p in zip(stems, images, strict=True)]
    counts = Counter(w.casefold() for w in wanted)
    taken = {w.casefold() for w in wanted if counts[w.casefold()] == 1}
    result = []
    for name in wanted:
        key = name.casefold()
        if counts[key] > 1:
            candidate, n = name, 1
            while candidate.casefold() in taken:
                n += 1
                candidate = f"{name}-{n}"
            name = candidate
            taken.add(name.casefold())
        result.append(name)
    return result


def run_analyze(images: list[Path], *, out: Path | None, min_score: float | None, mm_per_px: float | None,
                detector: str, json_out: bool, answers_path: Path | None = None, save: bool = False,
                subject: str | None = None, db: str | None = None, layers: str | None = None) -> int:
    from comedo.explain.answers import Answers, load_answers
    from comedo.pipeline import analyze
    from comedo.render.annotate import LAYERS
    from comedo.schema import to_document

    chosen = tuple(x.strip() for x in layers.split(",") if x.strip()) if layers else None
    if chosen is not None and (not chosen or set(chosen) - set(LAYERS)):
        print_error(f"--layers: choose from {', '.join(LAYERS)} (comma-separated); got {layers!r}")
        return 2
    try:
        answers = load_answers(answers_path) if answers_path is not None else Answers()
    except ComedoError as exc:
        return error_code(exc)
    if out is not None:
        try:
            output_dir(out)  # before any photo is analysed
        except ComedoError as exc:
            return error_code(exc)
    store = None
    if save:
        from comedo.store.repository import Store, check_subject

        try:
            if subject is not None:
                check_subject(subject)  # before any photo is analysed
            store = Store.open(db)
        except ComedoError as exc:
            return error_code(exc)
    failures = 0
    worst = 0
    for path, stem in zip(images, unique_stems(images), strict=True):
        try:
            analysis = analyze(path, min_score=min_score, mm_per_px=mm_per_px, detector=detector,
                               answers=answers)
            doc = to_document(analysis).model_dump(mode="json")  # once, for every output below
            if json_out:
                typer.echo(json.dumps(doc))
            else:
                typer.echo(f"{path}: {summary_line(analysis)}")
            if store is not None:
                record_id = store.save_analysis(analysis, subject_id=subject, document=doc)
                if not json_out:
                    typer.echo(f"  saved as analysis {record_id}" + (f" of {subject}" if subject else ""))
            if out is not None:
                json_path, png_path = write_outputs(analysis, doc, out, stem, chosen)
                if not json_out:
                    typer.echo(f"  wrote {json_path} and {png_path}")
        except ComedoError as exc:
            failures += 1
            worst = max(worst, exc.exit_code)
            print_error(exc)
        except OSError as exc:  # the store's photo folder or --out became unwritable, a full disk
            failures += 1
            worst = max(worst, 1)
            print_error(f"{path}: cannot write output: {os_error_line(exc, out or path)}")
    if failures and len(images) > 1:
        typer.echo(f"comedo: {failures} of {len(images)} photos failed", err=True)
    return worst if failures else 0
