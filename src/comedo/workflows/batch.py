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
same task function runs on a Dask cluster (``scheduler="tcp://host:8786"``).
"""

from __future__ import annotations

import glob
import io
import json
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from comedo.errors import ComedoError, InvalidInputError
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

PARENT_POLL_S = 0.2  # how often a local worker checks that the batch process is still alive


def _worker_init(parent_pid: int | None = None) -> None:
    """Set up a worker: one network thread; with ``parent_pid`` (local pools), exit when that process dies.

    A SIGKILLed batch runs no cleanup, and a pool worker blocked on its task queue would wait forever (it holds
    the queue's write end itself), keeping the resource tracker alive too. The watchdog is a daemon thread
    polling ``os.getppid()``, which changes when the parent dies (the worker is re-parented): portable, and
    safe whichever thread of the parent started the worker, unlike Linux's PR_SET_PDEATHSIG."""
    from comedo.nets.session import set_threads

    set_threads(1)  # the pool runs one photo per core
    if parent_pid is not None:
        threading.Thread(target=_exit_with_parent, args=(parent_pid,), name="comedo-parent-watch",
                         daemon=True).start()


def _exit_with_parent(parent_pid: int) -> None:
    while os.getppid() == parent_pid:
        time.sleep(PARENT_POLL_S)
    os._exit(1)  # no cleanup to run: results are written atomically, a half-done photo is simply redone


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
    write_atomic(out / "results" / f"{sha}.json", json.dumps(doc).encode())  # an OSError ends the run (below)
    return True, None, summary_row(doc)


def _died_message(path: str) -> str:
    return f"{path}: the worker process died while analysing it, twice (out of memory, or killed)"


def earlier_error(out: Path, sha: str) -> str | None:
    """The message an earlier run recorded for this content, if it failed."""
    try:
        return str(json.loads((out / "errors" / f"{sha}.json").read_text())["error"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


# --- which content each name had when last seen -----------------------------------------------------------------

NAMES_FILE = "names.jsonl"


def _name_key(path: str) -> str:
    """One name whether given relative or absolute (``photos/a.jpg`` and ``/home/me/photos/a.jpg``)."""
    return os.path.abspath(path)


def read_names(out: Path) -> dict[str, tuple[str, str]]:
    """``{name key: (path as given, sha256)}`` from ``OUT/names.jsonl``: the last line for a name wins; a line
    that is not whole JSON (the end of a run killed mid-write) is skipped."""
    names: dict[str, tuple[str, str]] = {}
    try:
        text = (out / NAMES_FILE).read_text(encoding="utf-8")
    except FileNotFoundError:
        return names
    for line in text.splitlines():
        try:
            entry = json.loads(line)
            names[_name_key(entry["path"])] = (str(entry["path"]), str(entry["sha256"]))
        except (ValueError, KeyError, TypeError):
            continue
    return names


class _NameLog:
    """Appends ``{"path", "sha256"}`` to ``OUT/names.jsonl`` when a name is new or its content changed."""

    def __init__(self, out: Path) -> None:
        self.path = out / NAMES_FILE
        self.known = read_names(out)

    def record(self, path: str, sha: str) -> None:
        if not sha or self.known.get(_name_key(path)) == (path, sha):
            return
        self.known[_name_key(path)] = (path, sha)
        with self.path.open("a", encoding="utf-8") as handle:  # one short line: whole, or skipped when read
            handle.write(json.dumps({"path": path, "sha256": sha}) + "\n")


# --- orchestration --------------------------------------------------------------------------------------------

Outcome = tuple[bool, str | None, dict[str, Any] | None]  # (ok, error, summary row): what analyze_task returns


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
    names = _NameLog(out)
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
        outcomes = _run_local(todo, out, workers or os.cpu_count() or 1, detector, min_score)
    for (path, sha), (ok, error, row) in outcomes:
        for name in same_bytes[sha]:  # the same bytes under other names: the same outcome, reported for each
            yield report(BatchResult(name, sha, ok, False, error, row if name == path else
                                     (None if row is None else {**row, "path": name})))


def _run_local(todo: list[tuple[str, str]], out: Path, workers: int, detector: str, min_score: float | None,
               ) -> Iterator[tuple[tuple[str, str], Outcome]]:
    """Run ``analyze_task`` on a local process pool, surviving dead workers.

    A worker's death (``BrokenProcessPool``, from ``submit`` or a result) fails every task in flight, so the
    one that killed it is unknown: the pool is rebuilt and those photos are tried again one at a time. A photo
    whose worker dies while it runs alone has now died twice, and is recorded as failed."""
    import multiprocessing

    context = multiprocessing.get_context("spawn")  # no inherited ONNX sessions or threads

    def new_pool() -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_worker_init,
                                   initargs=(os.getpid(),))

    queue: deque[tuple[str, str]] = deque(todo)
    rank = {item: k for k, item in enumerate(todo)}
    suspects: deque[tuple[str, str]] = deque()  # in flight when a worker died: retried one at a time
    deaths: dict[tuple[str, str], int] = {}
    pending: dict[Future, tuple[str, str]] = {}
    pool = new_pool()
    try:
        while queue or suspects or pending:
            broken = False
            while not broken:  # keep a bounded number in flight so a kill loses little; a suspect runs alone
                if suspects:
                    if pending:
                        break
                    source = suspects
                elif queue and len(pending) < workers * 2:
                    source = queue
                else:
                    break
                item = source.popleft()
                try:
                    pending[pool.submit(analyze_task, *item, str(out), detector, min_score)] = item
                except BrokenProcessPool:  # a worker died since the last look: put the photo back
                    source.appendleft(item)
                    broken = True
            lost: list[tuple[str, str]] = []
            done, _ = wait(pending, return_when=FIRST_COMPLETED) if pending and not broken else (set(), set())
            if broken or any(isinstance(f.exception(), BrokenProcessPool) for f in done):
                done, _ = wait(pending)  # a broken pool fails every task it still holds, at once
            for future in done:
                item = pending.pop(future)
                try:
                    outcome = future.result()
                except BrokenProcessPool:
                    lost.append(item)
                    continue
                except OSError as exc:  # the output folder cannot be written (full, read-only): end the run
                    raise ComedoError(f"{out}: cannot write results ({exc.strerror or exc})") from None
                yield item, outcome
            if not lost and not broken:
                continue
            pool.shutdown(wait=True, cancel_futures=True)
            for item in sorted(lost, key=rank.__getitem__):  # in the order given, not the futures' set order
                deaths[item] = deaths.get(item, 0) + 1
                if deaths[item] >= 2:
                    path, sha = item
                    yield item, (False, record_failure(out, path, sha, _died_message(path)), None)
                else:
                    suspects.append(item)
            pool = new_pool()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _run_dask(todo: list[tuple[str, str]], out: Path, scheduler: str, detector: str, min_score: float | None,
              ) -> Iterator[tuple[tuple[str, str], Outcome]]:
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
            yield futures[future], future.result()
    finally:
        client.close()


def write_summary(out_dir: str | Path) -> dict[str, Path]:
    """Rebuild summary.csv, summary.parquet (if pyarrow is installed) and summary.html from the result files:
    one row per name, for the content it had when last seen (``names.jsonl``). Result and error files no name
    points at (an output folder from before the name log) are listed by the path they record, unless that path
    is a logged name (then they are an older content of it)."""
    import csv

    out = Path(out_dir)
    names = read_names(out)
    rows: list[dict[str, Any]] = []
    listed: set[str] = set()  # content hashes some name points at

    def load(kind: str, sha: str) -> dict[str, Any] | None:
        try:
            return dict(json.loads((out / kind / f"{sha}.json").read_text()))
        except (OSError, ValueError, TypeError):
            return None

    for path, sha in names.values():
        listed.add(sha)
        doc = load("results", sha)
        if doc is not None:
            rows.append({**summary_row(doc), "path": path})
            continue
        err = load("errors", sha)
        if err is not None:
            rows.append({"path": path, "sha256": sha, "error": err.get("error")})
    unlisted = [f for f in sorted((out / "results").glob("*.json")) if f.stem not in listed]
    for f in unlisted:
        row = summary_row(json.loads(f.read_text()))
        if _name_key(row["path"]) not in names:
            rows.append(row)
    analysed = {row["path"] for row in rows if not row.get("error")}
    for f in sorted((out / "errors").glob("*.json")):
        if f.stem in listed:
            continue
        err = json.loads(f.read_text())
        if err["path"] not in analysed and _name_key(err["path"]) not in names:
            rows.append({"path": err["path"], "sha256": err["sha256"], "error": err["error"]})  # not superseded
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

