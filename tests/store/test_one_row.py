"""One photo, subject and version is one row, held by the database (a unique key, a missing subject included),
and one attempt of a session step is one row: simultaneous saves and steps, on SQLite and PostgreSQL. Each round
starts its writers together at a barrier; a bounded number of rounds, no sleeps."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from synthetic import skin_scene

import comedo
from comedo.store.models import AnalysisRecord, SessionStep
from comedo.store.repository import StepRefused, Store

ROUNDS = 3
WRITERS = 4


@pytest.fixture(scope="module")
def analysis() -> comedo.Analysis:
    return comedo.analyze(skin_scene((120, 160), seed=11).rgb, detector="classical")


def _at_once(stores: list[Store], work: Callable[[Store], object]) -> list[object]:
    """Run ``work`` on every store in its own thread, all released together; results or the errors raised."""
    barrier = threading.Barrier(len(stores))
    results: list[object] = [None] * len(stores)

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = work(stores[i])
        except Exception as exc:  # noqa: BLE001 - the test inspects what each writer got
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(stores))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def _count(store: Store, table: type, **where: object) -> int:
    with store.engine.connect() as conn:
        query = sa.select(sa.func.count()).select_from(table)
        for name, value in where.items():
            query = query.where(getattr(table, name).is_(None) if value is None else getattr(table, name) == value)
        return int(conn.execute(query).scalar_one())


def test_one_photo_saved_at_once_by_several_writers_is_one_row(db_url: str, tmp_path: Path,
                                                              analysis: comedo.Analysis) -> None:
    stores = [Store.open(db_url, data_dir=tmp_path) for _ in range(WRITERS)]
    try:
        for subject in [f"r{i}" for i in range(ROUNDS)] + [None]:  # the last round: no subject
            ids = _at_once(stores, lambda s, subject=subject: s.save_analysis(analysis, subject_id=subject))
            assert all(isinstance(i, int) for i in ids), ids
            assert len(set(ids)) == 1, f"{subject}: {ids}"  # 0.9.1: 37, 37, 38, 39
            assert _count(stores[0], AnalysisRecord, subject_id=subject) == 1
        assert stores[0].save_analysis(analysis) == ids[0]  # and once more, alone: the same row
        assert _count(stores[0], AnalysisRecord) == ROUNDS + 1
        assert stores[0].check() == []
    finally:
        for store in stores:
            store.close()


def test_the_database_refuses_a_second_row_for_one_photo_subject_and_version(db_url: str, tmp_path: Path,
                                                                            analysis: comedo.Analysis) -> None:
    store = Store.open(db_url, data_dir=tmp_path)
    try:
        for subject in ("d", None):
            first = store.save_analysis(analysis, subject_id=subject)
            with store.writer.connect() as conn:
                with conn.begin():
                    row = dict(conn.execute(sa.select(AnalysisRecord.__table__).where(
                        AnalysisRecord.id == first)).one()._mapping)
                row.pop("id")
                with pytest.raises(IntegrityError), conn.begin():  # past the code: the key is in the database
                    conn.execute(sa.insert(AnalysisRecord.__table__).values(**row))
                with conn.begin():  # another version of comedo: a row of its own
                    conn.execute(sa.insert(AnalysisRecord.__table__).values(**{**row, "comedo_version": "0.0.1"}))
        assert _count(store, AnalysisRecord) == 4
    finally:
        store.close()


def test_one_step_recorded_at_once_by_two_writers_is_one_attempt(db_url: str, tmp_path: Path) -> None:
    stores = [Store.open(db_url, data_dir=tmp_path) for _ in range(2)]
    try:
        for _ in range(ROUNDS):
            sid = stores[0].start_session("t")
            results = _at_once(stores, lambda s, sid=sid: s.add_step(sid, "sterilise"))
            refused = [r for r in results if isinstance(r, StepRefused)]
            assert len(refused) == 1 and "already recorded" in str(refused[0]), results  # 0.9.1: both, 1 in 3
            assert _count(stores[0], SessionStep, session_id=sid) == 1
    finally:
        for store in stores:
            store.close()


def test_again_records_the_next_attempt_and_the_database_holds_one_row_per_attempt(db_url: str,
                                                                                   tmp_path: Path) -> None:
    store = Store.open(db_url, data_dir=tmp_path)
    try:
        sid = store.start_session("a")
        assert store.add_step(sid, "sterilise").attempt == 1
        with pytest.raises(StepRefused, match="give --again"):
            store.add_step(sid, "sterilise")
        second = store.add_step(sid, "sterilise", again=True)
        assert second.attempt == 2
        steps = store.session_info(sid)["steps"]
        assert [(s["seq"], s["attempt"]) for s in steps] == [(1, 1), (2, 2)]
        with store.writer.connect() as conn:
            for clash in ({"seq": 3, "attempt": 2}, {"seq": 2, "attempt": 3}):  # same attempt; same seq
                with pytest.raises(IntegrityError), conn.begin():
                    conn.execute(sa.insert(SessionStep.__table__).values(
                        session_id=sid, step="sterilise", created_at=steps[0]["created_at"], **clash))
    finally:
        store.close()
