"""The batch on a Dask cluster: the same task as the local pool, with the same answer to a worker dying.

A worker that dies while it holds a photo (killed, out of memory) is replaced by its nanny, and the scheduler
tries the photo again on another worker; when workers have died under it ``allowed-failures`` + 1 times (the
scheduler's setting, ``distributed.scheduler.allowed-failures``: 3 by default, 1 as on local workers) the
future raises ``KilledWorker``, and the photo is recorded as failed, like a photo that kills two local workers,
while the run goes on and writes its summary. A cluster set to give up at the first death still tries each
photo twice: it is submitted once more. Every worker, the replacements included, gets the batch's set-up (one
network thread) from a worker plugin. A scheduler that goes away ends the run with one line (a rerun goes on
from there). Needs ``distributed`` (``pip install 'comedo[batch]'``)."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import CancelledError
from pathlib import Path

from distributed import Client, KilledWorker, WorkerPlugin, as_completed

from comedo.errors import ComedoError, InvalidInputError
from comedo.workflows.batch_worker import Outcome, analyze_task, record_failure, worker_init

__all__ = ["run_dask"]

DEATHS_TO_FAIL = 2  # as on local workers: a photo is tried again once after its worker dies


class WorkerSetup(WorkerPlugin):
    """``worker_init`` on every worker, now and started later (a nanny replaces a dead worker)."""

    name = "comedo-batch-setup"
    idempotent = True  # one registration, however many batches a long-lived cluster runs

    def setup(self, worker: object) -> None:
        worker_init()


def run_dask(todo: list[tuple[str, str]], out: Path, scheduler: str, detector: str, min_score: float | None,
             ) -> Iterator[tuple[tuple[str, str], Outcome]]:
    """Run ``analyze_task`` for each ``(path, sha256)`` on the cluster at ``scheduler``, yielding outcomes as
    they complete."""
    try:
        client = Client(scheduler, timeout=30)
    except OSError as exc:
        raise InvalidInputError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
    try:
        client.register_plugin(WorkerSetup())
        folder = str(out.resolve())

        def submit(item: tuple[str, str]) -> object:
            return client.submit(analyze_task, *item, folder, detector, min_score, pure=False)

        futures = {submit(item): item for item in todo}
        deaths: dict[tuple[str, str], int] = {}
        running = as_completed(futures)
        for future in running:
            item = futures.pop(future)  # dropped at once: a dead worker's finished photos are not redone
            try:
                outcome = future.result()
            except KilledWorker as exc:
                deaths[item] = deaths.get(item, 0) + exc.allowed_failures + 1
                if deaths[item] < DEATHS_TO_FAIL:
                    again = submit(item)
                    futures[again] = item
                    running.add(again)
                    continue
                path, sha = item
                message = f"{path}: the worker process died while analysing it, {deaths[item]} times " \
                          "(out of memory, or killed)"
                outcome = (False, record_failure(out, path, sha, message), None)
            except OSError as exc:  # the output folder cannot be written (full, read-only): end the run
                raise ComedoError(f"{out}: cannot write results ({exc.strerror or exc})") from None
            except CancelledError:  # the scheduler is gone (its futures are cancelled): what is done is kept
                raise ComedoError(f"lost the Dask scheduler at {scheduler}; the photos done so far are kept, "
                                  "run the same command again to go on") from None
            finally:
                future.release()
            yield item, outcome
    finally:
        client.close()
