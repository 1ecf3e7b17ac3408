"""``comedo evaluate-verdicts DIR...``: count the answers that contradict themselves (issue 32's four kinds) and
the triage mix per folder label, over every photo under the folders given."""

from __future__ import annotations

import json
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import typer

from comedo.cli.errors import print_error
from comedo.cli.evaluate_types_cmd import FOLDER_ALIASES
from comedo.errors import ComedoError
from comedo.files import IMAGE_SUFFIXES

__all__ = ["run_evaluate_verdicts", "photos_under"]


def photos_under(folder: Path) -> list[Path]:
    """Every photo under ``folder`` (by suffix), sorted, hidden folders left out."""
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES
                  and not any(part.startswith(".") for part in p.relative_to(folder).parts))


def _scan(job: tuple[Path, str]) -> object:
    from comedo.workflows.evaluate_verdicts import scan_photo

    try:
        return scan_photo(*job)
    except ComedoError as exc:
        return f"{job[0]}: {exc}"


def run_evaluate_verdicts(folders: list[Path], *, workers: int, json_out: bool, rows_out: Path | None,
                          limit: int) -> int:
    from comedo.workflows.evaluate_verdicts import KINDS, VerdictRow, row_dict, summarise

    jobs: list[tuple[Path, str]] = []
    for folder in folders:
        if not folder.is_dir():
            print_error(f"{folder}: not a folder")
            return 2
        photos = photos_under(folder)
        jobs += [(p, str(folder)) for p in (photos[:limit] if limit else photos)]
    if not jobs:
        print_error("no photos under " + ", ".join(map(str, folders)))
        return 2
    if workers > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(_scan, jobs, chunksize=8))
    else:
        results = [_scan(job) for job in jobs]
    rows = [r for r in results if isinstance(r, VerdictRow)]
    for failed in (r for r in results if not isinstance(r, VerdictRow)):
        typer.echo(f"comedo: skipped: {failed}", err=True)
    if rows_out is not None:
        rows_out.write_text("".join(json.dumps(row_dict(r)) + "\n" for r in rows), encoding="utf-8")
    fig = summarise(rows, FOLDER_ALIASES)
    fig["skipped"] = len(results) - len(rows)
    if json_out:
        typer.echo(json.dumps(fig, indent=2))
        return 0
    typer.echo(f"{fig['photos']} photos ({fig['skipped']} skipped); {fig['photos_with_any']} with a contradiction")
    typer.echo("  " + ", ".join(f"{k} {fig['contradictions'][k]}" for k in KINDS))
    for folder, counts in fig["per_folder"].items():
        typer.echo(f"  {folder}: {counts['photos']} photos, " + ", ".join(f"{k} {counts[k]}" for k in KINDS))
    h = fig["headline"]

    def pct(v: float | None) -> str:
        return "-" if v is None else f"{v:.0%}"

    typer.echo(f"nodule/cyst routine or higher {pct(h['deep_routine_or_higher'])}; blackhead/whitehead routine or "
               f"higher {pct(h['comedo_routine_or_higher'])}, protocol {pct(h['comedo_protocol'])}")
    for label, m in fig["by_label"].items():
        typer.echo(f"  {label}: {m['photos']} photos, routine or higher {pct(m['routine_or_higher_share'])}, "
                   f"protocol {pct(m['protocol_share'])}")
    return 0
