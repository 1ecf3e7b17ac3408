"""``comedo triage``: the answer a person reads, or one JSON object."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from comedo.cli.errors import error_code
from comedo.errors import ComedoError

_STYLE = {"self_care": "bold green", "routine": "bold yellow", "soon": "bold dark_orange", "urgent": "bold red"}


def run_triage(answers_path: Path, image: Path | None, *, mm_per_px: float | None, json_out: bool) -> int:
    from comedo.explain.answers import load_answers
    from comedo.pipeline import triage_report
    from comedo.schema import report_document

    try:
        answers = load_answers(answers_path)
        report = triage_report(answers, image, mm_per_px=mm_per_px)
    except ComedoError as exc:
        return error_code(exc)
    doc = report_document(report)
    if json_out:
        typer.echo(json.dumps(doc.model_dump(mode="json")))
        return 0
    from rich.console import Console
    from rich.markup import escape as e  # every text below is shown as written, never read as markup

    console = Console(highlight=False)
    level = doc.triage.level
    console.print(f"[{_STYLE[level]}]{e(doc.triage.level_text)}[/]")
    console.print("\nWhy:")
    for reason in doc.triage.reasons:
        evidence = ", ".join(f"{k}={v}" for k, v in reason.evidence.items())
        console.print(f"  - {e(reason.text)}" + (f" [dim]({e(evidence)})[/]" if evidence else ""))
    ext = doc.extraction
    verdict = "Do not squeeze or extract it." if ext.advice == "do_not_extract" else "Extraction is ok, with care:"
    console.print(f"\n[bold]{verdict}[/]")
    for why in ext.why:
        console.print(f"  - {e(why)}")
    for i, step in enumerate(ext.steps, 1):
        console.print(f"  {i}. {e(step.step.replace('_', ' '))}: {e(step.text)}")
    console.print("\n[bold]Home care:[/]")
    for tip in doc.care_plan:
        console.print(f"  - {e(tip.text)} [dim]{e(tip.why)}[/]")
    console.print(f"\n[italic]{e(doc.disclaimer)}[/]")
    return 0
