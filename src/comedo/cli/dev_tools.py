"""The developer tools of the ``comedo`` command (their own help panel): benchmarks, evaluations, load test, schema.

Thin typer adapters like the rest of the CLI; each imports what it needs when it runs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

__all__ = ["add_developer_tools", "PANEL"]

PANEL = "Developer tools"


def benchmark(
    repeat: Annotated[int, typer.Option(min=1, max=200, help="Timed runs per photo size.")] = 10,
    detector: Annotated[str, typer.Option(help="auto, model or classical.")] = "auto",
    image: Annotated[Optional[Path], typer.Option(help="Photo to time (default: the bundled sample).")] = None,
    photos: Annotated[Optional[Path], typer.Option(help="A folder: time its first 12 photos, each at 640x640.")]
    = None,
) -> None:
    """Time the pipeline on a 640x640 and a 12 MP photo: images/s, stages, the detector's forward pass."""
    from comedo.cli.benchmark_cmd import run_benchmark

    raise typer.Exit(run_benchmark(repeat=repeat, detector=detector, image=image, photos=photos))


def evaluate(
    dataset: Annotated[Path, typer.Argument(metavar="DATASET",
                                            help="Folder with annotations.json (COCO) and optional circles.json, "
                                            "or with acne/ and clean/ folders of faces.")],
    detectors: Annotated[str, typer.Option(help="Comma-separated detectors to compare.")] = "model,classical",
    min_score: Annotated[Optional[float], typer.Option(help="Count threshold (default: each one's calibrated).")]
    = None,
    limit: Annotated[int, typer.Option(min=0, help="Evaluate only the first N images (0: all).")] = 0,
    json_out: Annotated[Optional[Path], typer.Option("--json-out", help="Also write the figures to this JSON file.")]
    = None,
) -> None:
    """Detector accuracy overall and by skin tone; on acne/ and clean/ faces, acne vs clean separation.

    On a COCO folder: AP50, count MAE, grade accuracy, circle recall/precision, each also by ITA band."""
    from comedo.cli.evaluate_cmd import run_evaluate

    raise typer.Exit(run_evaluate(dataset, detectors=detectors, min_score=min_score, limit=limit, json_out=json_out))


def evaluate_types(
    directory: Annotated[Path, typer.Argument(metavar="DIRECTORY",
                                              help="Folder with one sub-folder per type (blackhead, whitehead...).")],
    limit: Annotated[int, typer.Option(min=0, help="At most N photos per type (0: all).")] = 0,
    json_out: Annotated[Optional[Path], typer.Option("--json-out", help="Also write the figures to this JSON file.")]
    = None,
) -> None:
    """Lesion types and close-up advice on folders named by type: classifier and pipeline figures, calibration."""
    from comedo.cli.evaluate_types_cmd import run_evaluate_types

    raise typer.Exit(run_evaluate_types(directory, json_out=json_out, limit=limit))


def evaluate_verdicts(
    folders: Annotated[list[Path], typer.Argument(metavar="DIRECTORY...", help="Folders of photos (searched "
                                                  "recursively); a photo's label is its folder's name, or its labels "
                                                  "in a labels.csv beside its folder.")],
    workers: Annotated[int, typer.Option(min=1, max=64, help="Processes analysing photos.")] = 1,
    json_out: Annotated[bool, typer.Option("--json", metavar="", help="Print the figures as JSON.")] = False,
    rows: Annotated[Optional[Path], typer.Option(help="Also write one JSON line per photo to this file.")] = None,
    limit: Annotated[int, typer.Option(min=0, help="At most N photos per folder (0: all).")] = 0,
) -> None:
    """Answers that contradict themselves (deep lesion read as self-care, "ok" with no extractable ring, reasons or
    grades on a photo with no lesion), and the triage mix per folder label."""
    from comedo.cli.evaluate_verdicts_cmd import run_evaluate_verdicts

    raise typer.Exit(run_evaluate_verdicts(folders, workers=workers, json_out=json_out, rows_out=rows, limit=limit))


def load_test(
    url: Annotated[str, typer.Option(help="A comedo server on this machine.")] = "http://127.0.0.1:8000",
    clients: Annotated[int, typer.Option(min=1, max=64)] = 8,
    seconds: Annotated[float, typer.Option(min=1, max=600)] = 30,
    max_requests: Annotated[int, typer.Option(min=1, max=100_000)] = 5000,
    image: Annotated[Optional[Path], typer.Option(help="Photo to post (default: the bundled sample).")] = None,
    token: Annotated[Optional[str], typer.Option(envvar="COMEDO_TOKEN")] = None,
    keep_size: Annotated[bool, typer.Option("--keep-size", metavar="",
                                            help="Post the photo at its own size, not 640x640 "
                                            "(memory checks with 12 MP or 49 MP photos).")] = False,
    route: Annotated[str, typer.Option(help="analyses (one photo per request) or comparisons (a before/after "
                                       "pair of the photo).")] = "analyses",
    megapixels: Annotated[Optional[float], typer.Option(min=0.01, max=100, help="Post the photo scaled to this "
                                                        "many megapixels (49: the 49 MP memory check).")] = None,
) -> None:
    """Benchmark a running server on loopback: requests/s, p50/p95 latency, errors, how fast /health answers
    meanwhile, and the server's memory."""
    from comedo.cli.loadtest_cmd import run_load_test

    raise typer.Exit(run_load_test(url, clients=clients, seconds=seconds, max_requests=max_requests, image=image,
                                   token=token, keep_size=keep_size, route=route, megapixels=megapixels))


def benchmark_batch(
    directory: Annotated[Path, typer.Argument(metavar="DIRECTORY",
                                              help="A folder of photos, e.g. ../shared/data/acne04/valid.")],
    limit: Annotated[int, typer.Option(min=0, help="Use only the first N photos (0: all).")] = 0,
    detector: Annotated[str, typer.Option(help="auto, model or classical.")] = "auto",
) -> None:
    """Photos/s of comedo batch with 1 and 2 local workers and a two-worker Dask LocalCluster."""
    from comedo.cli.batch_bench_cmd import run_batch_benchmark

    raise typer.Exit(run_batch_benchmark(directory, limit=limit, detector=detector))


def schema() -> None:
    """Print the JSON Schema of the analysis document."""
    import json

    from comedo.schema import AnalysisDocument

    typer.echo(json.dumps(AnalysisDocument.model_json_schema(), indent=2))


def add_developer_tools(app: typer.Typer) -> None:
    app.command(rich_help_panel=PANEL)(benchmark)
    app.command(rich_help_panel=PANEL)(evaluate)
    app.command('evaluate-types', rich_help_panel=PANEL)(evaluate_types)
    app.command('evaluate-verdicts', rich_help_panel=PANEL)(evaluate_verdicts)
    app.command('load-test', rich_help_panel=PANEL)(load_test)
    app.command('benchmark-batch', rich_help_panel=PANEL)(benchmark_batch)
    app.command(rich_help_panel=PANEL)(schema)
