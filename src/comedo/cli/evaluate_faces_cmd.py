"""``comedo evaluate`` on a folder of faces labelled acne or clean (``acne/``, ``clean/``): separation of acne from
clean faces and what clean faces are told, overall and by skin tone."""

from __future__ import annotations

import json
from pathlib import Path

from comedo.cli.errors import error_code
from comedo.errors import ComedoError

_ROWS = [("photos", "photos"), ("acne", "acne photos"), ("clean", "clean photos"),
         ("auc_lesion_count", "AUC acne vs clean, lesion count"), ("auc_estimated_count", "AUC, estimated count"),
         ("auc_grade", "AUC, Hayashi grade"), ("clean_graded_mild", "clean faces graded mild"),
         ("clean_at_most_one_lesion", "clean faces with 0-1 lesions"),
         ("acne_with_a_lesion", "acne faces with a lesion")]


def run_evaluate_faces(dataset: Path, *, limit: int, json_out: Path | None) -> int:
    from rich.console import Console
    from rich.progress import Progress

    from comedo.cli.skin_tone import skin_tone_table
    from comedo.workflows.evaluate_faces import load_faces, run_faces, summarise_faces

    try:
        photos = load_faces(dataset)
        if limit:
            photos = [p for p in photos if p[1]][:limit] + [p for p in photos if not p[1]][:limit]
        console = Console(markup=False)  # the dataset folder is text, never markup
        with Progress(console=console, transient=True) as bar:
            task = bar.add_task("faces", total=len(photos))
            results = run_faces(photos, progress=lambda done, total: bar.update(task, completed=done))
    except ComedoError as exc:
        return error_code(exc)
    summary = summarise_faces(results)
    console.print(skin_tone_table(f"{dataset}: acne vs clean faces", {"all": summary}, _ROWS))
    console.print(skin_tone_table("by skin tone (ITA band of the baseline skin, Del Bino; intervals from 20 photos)",
                                   summary["by_ita_band"], _ROWS))  # type: ignore[arg-type]
    console.print(f"(95 % intervals from resampling the {len({r.source for r in results})} source photos)")
    if json_out:
        json_out.write_text(json.dumps(summary, indent=2) + "\n")
    return 0
