"""The batch's worker side and its local process pool: the task one photo runs in a worker (local or Dask), the
worker's set-up (one network thread; exit with the batch), and a pool that survives its workers dying.

See ``comedo.workflows.batch`` for the whole design."""

from __future__ import annotations

import json
import os
import threading
import time
from collections import deque
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from comedo.errors import ComedoError
from comedo.files import write_atomic
from comedo.schema.summary import summary_row

__all__ = ["analyze_task", "record_failure", "earlier_error", "run_local", "worker_init", "Outcome"]

Outcome = tuple[bool, str | None, dict[str, Any] | None]  # (ok, error, summary row): what analyze_task returns

PARENT_POLL_S = 0.2  # how often a local worker checks that the batch process is still alive


def worker_init(parent_pid: int | None = None) -> None:
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



def run_local(todo: list[tuple[str, str]], out: Path, workers: int, detector: str, min_score: float | None,
               ) -> Iterator[tuple[tuple[str, str], Outcome]]:
    """Run ``analyze_task`` on a local process pool, surviving dead workers.

    A worker's death (``BrokenProcessPool``, from ``submit`` or a result) fails every task in flight, so the
    one that killed it is unknown: the pool is rebuilt and those photos are tried again one at a time. A photo
    whose worker dies while it runs alone has now died twice, and is recorded as failed."""
    import multiprocessing

    context = multiprocessing.get_context("spawn")  # no inherited ONNX sessions or threads

    def new_pool() -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=worker_init,
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


