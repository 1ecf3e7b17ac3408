"""``comedo batch``: a rich progress bar over ``comedo.workflows.batch.analyze_many``, then the summaries."""

from __future__ import annotations

from pathlib import Path

import typer

from comedo.cli.errors import error_code, print_error
from comedo.errors import ComedoError


def run_batch(inputs: list[str], *, out: Path, workers: int | None, scheduler: str | None, detector: str) -> int:
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )
    from rich.text import Text

    from comedo.cli.outputs import os_error_line, output_dir
    from comedo.workflows.batch import analyze_many, collect_inputs, write_summary

    console = Console(stderr=True)
    if scheduler:  # the Dask client logs its reconnect attempts with tracebacks; a lost scheduler is one line
        import logging

        try:  # distributed sets its loggers' levels when imported, so this comes after
            import distributed  # noqa: F401
        except ImportError:
            pass  # analyze_many says how to install it
        else:
            logging.getLogger("distributed.client").setLevel(logging.CRITICAL)
    try:
        paths = collect_inputs(inputs)
    except ComedoError as exc:
        return error_code(exc)
    if not paths:
        print_error("no photos found in the inputs")
        return 2
    try:
        output_dir(out)
    except ComedoError as exc:
        return error_code(exc)
    counts = {"done": 0, "skipped": 0, "failed": 0, "failed_before": 0}
    columns = [TextColumn("[progress.description]{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("{task.fields[rate]}"), TimeRemainingColumn()]
    import time

    started = time.perf_counter()
    try:
        with Progress(*columns, console=console) as bar:
            task = bar.add_task("analysing", total=len(paths), rate="")
            for result in analyze_many(paths, out, workers=workers, scheduler=scheduler, detector=detector):
                if result.skipped and result.ok:
                    counts["skipped"] += 1
                elif result.skipped:
                    counts["failed_before"] += 1
                    # a Text, so a file name is never read as markup; not wrapped, so it stays on one line
                    console.print(Text.assemble(("failed in an earlier run", "red"), " ", str(result.error)),
                                  highlight=False, soft_wrap=True)
                elif result.ok:
                    counts["done"] += 1
                else:
                    counts["failed"] += 1
                    console.print(Text.assemble(("failed", "red"), " ", str(result.error)), highlight=False,
                                  soft_wrap=True)
                fresh = counts["done"] + counts["failed"]
                rate = fresh / max(time.perf_counter() - started, 1e-6)
                bar.update(task, advance=1, rate=f"{rate:.1f} photos/s")
    except ComedoError as exc:
        return error_code(exc)
    try:
        written = write_summary(out)
    except OSError as exc:
        print_error(os_error_line(exc, out))
        return 1
    elapsed = time.perf_counter() - started
    failed = counts["failed"] + counts["failed_before"]
    typer.echo(f"{counts['done']} analysed, {counts['skipped']} already done, {counts['failed']} failed"
               + (f", {counts['failed_before']} failed in an earlier run (not retried; a changed file is)"
                  if counts["failed_before"] else "")
               + f" in {elapsed:.1f} s; summaries: " + ", ".join(str(p) for p in written.values()))
    return 2 if failed else 0  # as analyze: 2 while any photo failed
