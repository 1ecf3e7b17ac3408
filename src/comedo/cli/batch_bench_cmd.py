"""``comedo benchmark-batch DIR``: photos/s of ``comedo batch`` with 1 and 2 local workers and a Dask
LocalCluster of two worker processes, each into a fresh output folder. Times include starting the workers
and loading the models in each, as a user running ``comedo batch`` would see."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import typer

from comedo.cli.errors import print_error


def run_batch_benchmark(directory: Path, *, limit: int, detector: str) -> int:
    from comedo.workflows.batch import analyze_many, collect_inputs

    paths = collect_inputs([directory])[: limit or None]
    if not paths:
        print_error(f"{directory}: no photos")
        return 2
    typer.echo(f"{len(paths)} photos from {directory}, detector={detector}")
    rates: dict[str, float] = {}
    for label, kwargs in (("1 local worker", {"workers": 1}), ("2 local workers", {"workers": 2})):
        with tempfile.TemporaryDirectory() as out:
            started = time.perf_counter()
            ok = sum(r.ok for r in analyze_many(paths, out, detector=detector, **kwargs))
            rates[label] = ok / (time.perf_counter() - started)
        typer.echo(f"{label}: {rates[label]:.2f} photos/s ({ok} analysed)")
    try:
        from distributed import LocalCluster
    except ImportError:
        typer.echo("Dask not installed (pip install 'comedo[batch]'): skipped the cluster run")
    else:
        with tempfile.TemporaryDirectory() as out:
            started = time.perf_counter()
            with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
                ok = sum(r.ok for r in analyze_many(paths, out, detector=detector,
                                                    scheduler=cluster.scheduler_address))
            rates["dask"] = ok / (time.perf_counter() - started)
        typer.echo(f"Dask LocalCluster (2 worker processes): {rates['dask']:.2f} photos/s ({ok} analysed)")
    typer.echo(f"speed-up from 1 to 2 local workers: {rates['2 local workers'] / rates['1 local worker']:.2f}x")
    return 0
