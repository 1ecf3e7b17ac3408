"""Batch analysis of photo archives: resumable, parallel on local processes or a Dask cluster.

Resumable by content: each photo's result is ``OUT/results/<sha256>.json``
(or ``OUT/errors/<sha256>.json`` for a photo that fails, for any reason: a bad
file, a photo the pipeline refuses, or an unexpected fault, which is recorded
rather than allowed to stop the run), written atomically. A file whose bytes
changed has another hash and is tried again; an earlier failure is listed, not
redone. A rerun hashes the inputs and skips every hash already done, so
a run killed at any moment loses at most the photos in flight, redoes nothing
twice, and the summary (rebuilt from the result files, one row per content hash)
never duplicates a row.

Parallelism: one process per worker, each with one ONNX Runtime thread so
workers do not oversubscribe the cores; the pipeline's models are built once per
worker (a module-level cache), never pickled. The same task function runs on a
Dask cluster (``scheduler="tcp://host:8786"``).
"""

from __future__ import annotations

import glob
import io
import json
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from comedo.errors import InvalidInputError
from comedo.files import IMAGE_SUFFIXES, file_sha256, write_atomic
from comedo.schema.summary import summary_row

__all__ = ["BatchResult", "collect_inputs", "analyze_many", "write_summary", "IMAGE_SUFFIXES"]



@dataclass(frozen=True)
class BatchResult:
    path: str
    sha256: str
    ok: bool
    skipped: bool  # already done in an earlier run
    error: str | None = None
    row: dict[str, Any] | None = None


def collect_inputs(inputs: Iterable[str | Path]) -> list[Path]:
    """Folders (recursively), glob patterns and list files (one path per line, ``@list.txt`` or ``*.txt``)."""
    found: list[Path] = []
    for item in inputs:
        text = str(item)
        path = Path(text[1:] if text.startswith("@") else text)
        if text.startswith("@") or (path.suffix.lower() == ".txt" and path.is_file()):
            if not path.is_file():
                raise InvalidInputError(f"{path}: list file not found")
            lines = [ln.strip() for ln in path.read_text().splitlines() if ln.strip() and not ln.startswith("#")]
            found += [(path.parent / ln) if not Path(ln).is_absolute() else Path(ln) for ln in lines]
        elif path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file())
        elif any(ch in text for ch in "*?["):
            found += sorted(Path(p) for p in glob.glob(text, recursive=True) if Path(p).is_file())
        else:
            found.append(path)  # a single file; a missing one is reported as an error row
    seen: set[Path] = set()
    unique = []
    for p in found:
        key = p.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(p)
    return unique


def _sha256(path: Path) -> str | None:
    try:
        return file_sha256(path)
    except OSError:
        return None


# --- the task, run in a worker process (local pool or Dask) ----------------------------------------------------

def _worker_init() -> None:
    from comedo.nets.session import set_threads

    set_threads(1)  # the pool runs one photo per core


def record_failure(out: Path, path: str, sha: str, error: str) -> str:
    """Write the photo's error file (so a rerun lists it instead of redoing it) and return the message."""
    if sha:
        write_atomic(out / "errors" / f"{sha}.json", json.dumps({"path": path, "sha256": sha,
                                                                   "error": error}).encode())
    return error


def analyze_task(path: str, sha: str, out_dir: str, detector: str, min_score: float | None) -> tuple[bool, str | None,
                                                                                                      dict | None]:
    """Analyse one photo and write its result file. Models are cached per process by the registries."""
    from comedo.errors import ComedoError
    from comedo.pipeline import analyze
    from comedo.schema import to_document

    out = Path(out_dir)
    try:
        analysis = analyze(Path(path), detector=detector, min_score=min_score)
        doc = to_document(analysis).model_dump(mode="json")
    except ComedoError as exc:
        return False, record_failure(out, path, sha, str(exc)), None
    except Exception as exc:  # noqa: BLE001 - the task boundary: one photo's fault must not stop an archive
        return False, record_failure(out, path, sha, f"{path}: internal error ({type(exc).__name__}: {exc})"), None
    write_atomic(out / "results" / f"{sha}.json", json.dumps(doc).encode())
    return True, None, summary_row(doc)


def earlier_error(out: Path, sha: str) -> str | None:
    """The message an earlier run recorded for this content, if it failed."""
    try:
        return str(json.loads((out / "errors" / f"{sha}.json").read_text())["error"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


# --- orchestration --------------------------------------------------------------------------------------------

def analyze_many(
    paths: Iterable[str | Path],
    out_dir: str | Path,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    detector: str = "auto",
    min_score: float | None = None,
    on_progress: Callable[[BatchResult, int, int], None] | None = None,
) -> Iterator[BatchResult]:
    """Analyse photos, yielding results as they complete (skipped ones first).

    ``workers`` local processes (default: all cores), or a Dask cluster at
    ``scheduler``. Results and errors go to ``out_dir``; see the module docstring.
    """
    out = Path(out_dir)
    (out / "results").mkdir(parents=True, exist_ok=True)
    (out / "errors").mkdir(parents=True, exist_ok=True)
    todo: list[tuple[str, str]] = []
    total = 0
    for p in paths:
        total += 1
        path = Path(p)
        sha = _sha256(path)
        if sha is None:
            result = BatchResult(str(path), "", False, False, f"{path}: cannot read file")
            if on_progress:
                on_progress(result, total, total)
            yield result
            continue
        done = out / "results" / f"{sha}.json"
        failed = out / "errors" / f"{sha}.json"
        if done.exists() or failed.exists():
            ok = done.exists()
            result = BatchResult(str(path), sha, ok, True,
                                 None if ok else (earlier_error(out, sha) or f"{path}: failed in an earlier run"))
            if on_progress:
                on_progress(result, total, total)
            yield result
            continue
        todo.append((str(path), sha))
    if not todo:
        return
    if scheduler:
        yield from _run_dask(todo, out, scheduler, detector, min_score, on_progress, total)
    else:
        yield from _run_local(todo, out, workers or os.cpu_count() or 1, detector, min_score, on_progress, total)


def _run_local(todo: list[tuple[str, str]], out: Path, workers: int, detector: str, min_score: float | None,
               on_progress: Callable[[BatchResult, int, int], None] | None, total: int) -> Iterator[BatchResult]:
    import multiprocessing

    context = multiprocessing.get_context("spawn")  # no inherited ONNX sessions or threads
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_worker_init) as pool:
        pending: dict[Future, tuple[str, str]] = {}
        queue = iter(todo)
        for item in queue:  # keep a bounded number in flight so a kill loses little
            pending[pool.submit(analyze_task, *item, str(out), detector, min_score)] = item
            if len(pending) >= workers * 2:
                break
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                path, sha = pending.pop(future)
                try:
                    ok, error, row = future.result()
                except BrokenProcessPool:  # the worker died (out of memory, killed): record it, stop cleanly
                    ok, error, row = False, record_failure(out, path, sha, f"{path}: the worker process died "
                                                                            "while analysing it"), None
                result = BatchResult(path, sha, ok, False, error, row)
                if on_progress:
                    on_progress(result, total, total)
                yield result
                nxt = next(queue, None)
                if nxt is not None:
                    pending[pool.submit(analyze_task, *nxt, str(out), detector, min_score)] = nxt


def _run_dask(todo: list[tuple[str, str]], out: Path, scheduler: str, detector: str, min_score: float | None,
              on_progress: Callable[[BatchResult, int, int], None] | None, total: int) -> Iterator[BatchResult]:
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise InvalidInputError("--scheduler needs Dask: pip install 'comedo[batch]'") from None
    try:
        client = Client(scheduler, timeout=30)
    except OSError as exc:
        raise InvalidInputError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
    try:
        client.run(_worker_init)
        futures = {client.submit(analyze_task, path, sha, str(out.resolve()), detector, min_score, pure=False):
                   (path, sha) for path, sha in todo}
        for future in as_completed(futures):
            path, sha = futures[future]
            ok, error, row = future.result()
            result = BatchResult(path, sha, ok, False, error, row)
            if on_progress:
                on_progress(result, total, total)
            yield result
    finally:
        client.close()


def write_summary(out_dir: str | Path) -> dict[str, Path]:
    """Rebuild summary.csv, summary.parquet (if pyarrow is installed) and summary.html from the result files."""
    import csv

    out = Path(out_dir)
    rows = []
    for f in sorted((out / "results").glob("*.json")):
        rows.append(summary_row(json.loads(f.read_text())))
    analysed = {row["path"] for row in rows}
    for f in sorted((out / "errors").glob("*.json")):
        err = json.loads(f.read_text())
        if err["path"] not in analysed:  # a failure superseded by the mended file's result is not listed
            rows.append({"path": err["path"], "sha256": err["sha256"], "error": err["error"]})
    columns = [
        "path", "sha256", "width", "height", "lesions", "n_open_comedo", "n_closed_comedo", "n_papule", "n_pustule",
        "n_nodule", "n_cyst", "n_untyped", "hayashi_grade", "iga_grade", "nice_band", "irritation", "delta_a_p90",
        "dark_spots", "triage_level", "scene", "quality_flags", "error"]
    table_rows = [{c: row.get(c) for c in columns} for row in rows]
    written: dict[str, Path] = {}
    text = io.StringIO(newline="")
    writer = csv.DictWriter(text, fieldnames=columns)
    writer.writeheader()
    writer.writerows(table_rows)
    write_atomic(out / "summary.csv", text.getvalue().encode("utf-8"))
    written["csv"] = out / "summary.csv"
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        pass
    else:
        buffer = pa.BufferOutputStream()
        pq.write_table(pa.Table.from_pylist(table_rows), buffer)
        write_atomic(out / "summary.parquet", buffer.getvalue().to_pybytes())
        written["parquet"] = out / "summary.parquet"
    from comedo.render.batch_report import batch_summary_html

    write_atomic(out / "summary.html", batch_summary_html(rows).encode("utf-8"))
    written["html"] = out / "summary.html"
    return written

