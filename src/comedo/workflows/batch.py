"""Batch analysis of photo archives: resumable, parallel on local processes or a Dask cluster.

Resumable by content: each photo's result is ``OUT/results/<sha256>.json``
(or ``OUT/errors/<sha256>.json`` for a photo that fails, for any reason: a bad
file, a photo the pipeline refuses, or an unexpected fault, which is recorded
rather than allowed to stop the run), written atomically. A file whose bytes
changed has another hash and is tried again; an earlier failure is listed, not
redone. A rerun hashes the inputs and skips every hash already done, so
a run killed at any moment loses at most the photos in flight and redoes nothing
twice. The same bytes under two names are analysed once in a run.

The summary has one row per name (a path as given), showing that name's latest
content: ``OUT/names.jsonl`` records, line by line, which content each name had
when it was last seen (appended only when it changes; the last line for a name
wins, and a half-written last line after a kill is ignored). So two names with
the same bytes are two rows, and a photo replaced under the same name shows only
the new content's row.

Parallelism: one process per worker, each with one ONNX Runtime thread so
workers do not oversubscribe the cores; the pipeline's models are built once per
worker (a module-level cache), never pickled. A worker that dies (killed, out of
memory) breaks the pool: a new pool is started, and the photos it held are tried
again one at a time, so the photo that kills a worker again is the one reported
(as failed) and the others are not blamed. Workers exit when the batch process
dies (a watchdog thread in each), so a killed batch leaves no process behind. The
same task function runs on a Dask cluster (``scheduler="tcp://host:8786"``), where a dead worker's photo is
tried again by the scheduler and reported as failed once workers have died under it twice (or the scheduler's
``allowed-failures`` + 1 times); see ``comedo.workflows.batch_dask``.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from comedo.errors import InvalidInputError
from comedo.files import IMAGE_SUFFIXES, file_sha256
from comedo.workflows.batch_summary import NameLog, write_summary
from comedo.workflows.batch_worker import Outcome, earlier_error, run_local

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
    """Analyse photos, yielding results as they complete (skipped ones first), one per path given.

    ``workers`` local processes (default: all cores), or a Dask cluster at
    ``scheduler``. Results and errors go to ``out_dir``; see the module docstring.
    Paths with the same bytes are analysed once and each gets a result.
    """
    out = Path(out_dir)
    (out / "results").mkdir(parents=True, exist_ok=True)
    (out / "errors").mkdir(parents=True, exist_ok=True)
    names = NameLog(out)
    same_bytes: dict[str, list[str]] = {}  # sha -> the paths to analyse with it, the first one submitted
    total = 0

    def report(result: BatchResult) -> BatchResult:
        names.record(result.path, result.sha256)
        if on_progress:
            on_progress(result, total, total)
        return result

    for p in paths:
        total += 1
        path = Path(p)
        sha = _sha256(path)
        if sha is None:
            yield report(BatchResult(str(path), "", False, False, f"{path}: cannot read file"))
            continue
        done = out / "results" / f"{sha}.json"
        failed = out / "errors" / f"{sha}.json"
        if done.exists() or failed.exists():
            ok = done.exists()
            yield report(BatchResult(str(path), sha, ok, True,
                                     None if ok else (earlier_error(out, sha) or f"{path}: failed in an earlier run")))
            continue
        same_bytes.setdefault(sha, []).append(str(path))
    if not same_bytes:
        return
    todo = [(paths_[0], sha) for sha, paths_ in same_bytes.items()]
    if scheduler:
        outcomes = _run_dask(todo, out, scheduler, detector, min_score)
    else:
        outcomes = run_local(todo, out, workers or os.cpu_count() or 1, detector, min_score)
    for (path, sha), (ok, error, row) in outcomes:
        for name in same_bytes[sha]:  # the same bytes under other names: the same outcome, reported for each
            yield report(BatchResult(name, sha, ok, False, error, row if name == path else
                                     (None if row is None else {**row, "path": name})))


def _run_dask(todo: list[tuple[str, str]], out: Path, scheduler: str, detector: str, min_score: float | None,
              ) -> Iterator[tuple[tuple[str, str], Outcome]]:
    try:
        from comedo.workflows.batch_dask import run_dask
    except ImportError:
        raise InvalidInputError("--scheduler needs Dask: pip install 'comedo[batch]'") from None
    return run_dask(todo, out, scheduler, detector, min_score)
