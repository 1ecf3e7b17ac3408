"""``comedo compare BEFORE AFTER``: register, match lesions, write comparison.json and PNGs."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from comedo.cli.errors import error_code, print_error
from comedo.cli.outputs import os_error_line, output_dir
from comedo.errors import ComedoError


def run_compare(before: Path, after: Path, *, out: Path | None, detector: str) -> int:
    from comedo.workflows.compare import compare_photos

    if out is not None:  # before the work, not after it
        try:
            output_dir(out)
        except ComedoError as exc:
            return error_code(exc)
    try:
        a, b, comp = compare_photos(before, after, detector=detector)
    except ComedoError as exc:
        return error_code(exc)
    return _report(a, b, comp, str(before), str(after), out)


def run_compare_stored(subject: str, ids: tuple[int, int] | None, *, out: Path | None, db: str | None) -> int:
    """Two stored analyses of ``subject`` compared as stored (read back, not analysed again): the first and the
    latest, or ``ids``."""
    from comedo.cli.store_cmd import open_store
    from comedo.workflows.compare import compare_stored

    if out is not None:  # before the work, not after it
        try:
            output_dir(out)
        except ComedoError as exc:
            return error_code(exc)
    try:
        store = open_store(db)
        rows = store.history(subject)
        known = [r.analysis_id for r in rows]
        if len(known) < 2 and ids is None:
            print_error(f"subject {subject!r} has {len(known)} stored analyses; two are needed")
            return 2
        first, last = ids if ids is not None else (known[0], known[-1])
        missing = [i for i in (first, last) if i not in known]
        if missing:
            print_error(f"subject {subject!r} has no stored analysis {missing[0]} (see comedo history {subject})")
            return 2
        a, b, comp = compare_stored(store.analysis(first), store.analysis(last))
    except ComedoError as exc:
        return error_code(exc)
    when = {r.analysis_id: r.created_at.strftime("%Y-%m-%d") for r in rows}
    return _report(a, b, comp, f"#{first} ({when[first]})", f"#{last} ({when[last]})", out)


def _report(a, b, comp, before: str, after: str, out: Path | None) -> int:  # type: ignore[no-untyped-def]
    """Print the comparison's line, write its files under ``out``; 0 when aligned, 3 when not the same skin."""
    from comedo.files import write_atomic
    from comedo.workflows.compare import comparison_document

    doc = comparison_document(a, b, comp)
    reg = comp.registration
    if not reg.ok:
        typer.echo(f"{before} -> {after}: no comparison: {reg.reason} (confidence {reg.confidence:.2f})")
    else:
        c = comp.counts
        red = comp.redness.get("change_delta_a_p90")
        redness = "" if red is None else f"; redness (reddest tenth, a* units over own skin) {red:+.1f}"
        typer.echo(f"{before} -> {after}: aligned (confidence {reg.confidence:.2f}"
                   f"{', a mirror image' if reg.mirrored else ''}); lesions: {c['resolved']} resolved, "
                   f"{c['persisting']} persisting, {c['new']} new, {c['out_of_view']} out of view{redness}")
        grown = doc["growth"].get("largest_growth_mm")  # type: ignore[union-attr]
        if grown is not None:  # both photos have a scale: sizes from each lesion's own outline
            typer.echo(f"  largest growth of a persisting lesion: {grown:+.1f} mm")
    if out is not None:
        from comedo.io import encode_png
        from comedo.render.compare_images import overlay, side_by_side

        try:
            write_atomic(out / "comparison.json", (json.dumps(doc, indent=2) + "\n").encode())
            if reg.ok:
                for name, img in (("side_by_side.png", side_by_side(a, b, comp)),
                                  ("overlay.png", overlay(a, b, comp))):
                    write_atomic(out / name, encode_png(img))
        except OSError as exc:
            print_error(os_error_line(exc, out))
            return 1
        typer.echo(f"  wrote {out / 'comparison.json'}" + (" and side_by_side.png, overlay.png" if reg.ok else ""))
    return 0 if reg.ok else 3
