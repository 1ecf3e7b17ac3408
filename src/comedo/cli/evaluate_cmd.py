"""``comedo evaluate``: the shipped model and the classical baseline side by side."""

from __future__ import annotations

import json
from pathlib import Path

from comedo.cli.errors import error_code, print_error
from comedo.cli.skin_tone import figure_cell, skin_tone_table
from comedo.errors import ComedoError

_ROWS = [("ap50", "AP50 (boxes)"), ("count_mae", "count MAE (lesions listed)"),
         ("estimated_count_mae", "count MAE (estimated full count)"), ("grade_accuracy", "grade accuracy"),
         ("grade_method", "grade from"), ("grade_accuracy_count", "grade accuracy from the count alone"),
         ("hayashi_cutoffs", "grade count cut-offs"),
         ("circles_recall", "recall vs circles"), ("circles_precision", "precision vs circles"),
         ("threshold", "count threshold"), ("mean_ms_per_image", "ms / image (end to end)")]


def run_evaluate(dataset: Path, *, detectors: str, min_score: float | None, limit: int, json_out: Path | None) -> int:
    from rich.console import Console
    from rich.progress import Progress
    from rich.table import Table

    from comedo.detect.registry import available_detectors
    from comedo.workflows.evaluate import (
        bootstrap_intervals,
        load_dataset,
        run_detector,
        score_run,
    )
    from comedo.workflows.evaluate_faces import is_faces_folder
    from comedo.workflows.fairness import score_by_skin_tone

    if is_faces_folder(dataset):
        from comedo.cli.evaluate_faces_cmd import run_evaluate_faces

        return run_evaluate_faces(dataset, limit=limit, json_out=json_out)
    try:
        ds = load_dataset(dataset)
    except ComedoError as exc:
        return error_code(exc)
    if limit:
        for name in ("files", "boxes", "grades", "sources", "circles"):
            setattr(ds, name, getattr(ds, name)[:limit])
    names = [d.strip() for d in detectors.split(",") if d.strip()]
    missing = [n for n in names if n not in available_detectors()]
    if missing:
        print_error(f"--detectors: {', '.join(missing)} not available "
                    f"(have {', '.join(available_detectors())})")
        return 2
    console = Console(markup=False)  # names from the command line (folders) are text, never markup
    results = {}
    for name in names:
        with Progress(console=console, transient=True) as bar:
            task = bar.add_task(f"{name}", total=len(ds.files))
            try:
                run = run_detector(ds, name, progress=lambda done, total: bar.update(task, completed=done))
            except ComedoError as exc:
                return error_code(exc)
        results[name] = score_run(ds, run, min_score)
        results[name]["intervals_95"] = bootstrap_intervals(ds, run, min_score)
        results[name]["by_ita_band"] = score_by_skin_tone(ds, run, min_score)
    table = Table(title=f"{dataset} ({len(ds.files)} images)")
    table.add_column("figure")
    for name in names:
        table.add_column(f"{name} ({results[name]['detector']})", justify="right")
    for key, label in _ROWS:
        table.add_row(label, *[figure_cell(results[n], key) for n in names])
    console.print(table)
    console.print(f"(95 % intervals from resampling the {len(set(ds.sources))} source photos)")
    for name in names:
        if "grade_confusion" in results[name]:
            console.print(f"{name}: grade confusion (rows truth 0-3, columns predicted 0-3): "
                          f"{results[name]['grade_confusion']}")
    for name in names:
        console.print(skin_tone_table(f"{name}: by skin tone (ITA band of the baseline skin, Del Bino)",
                                       results[name]["by_ita_band"]))
    if any("grade_accuracy_standardised" in v for r in results.values() for v in r["by_ita_band"].values()):
        console.print("(grade accuracy at the set's grade mix: each band's accuracy on each grade, weighted by the "
                      "share of that grade in the whole set, so bands whose faces differ in severity compare alike)")
    if json_out:
        json_out.write_text(json.dumps(results, indent=2) + "\n")
    return 0
