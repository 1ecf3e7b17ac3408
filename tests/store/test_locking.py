"""Reads take no write lock: ``comedo history`` runs while another connection holds a write transaction (WAL);
a store locked past the busy timeout says it is busy; a full disk ends in one line with nothing half-written."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import event
from synthetic import skin_scene
from typer.testing import CliRunner

import comedo
from comedo.cli.main import app
from comedo.errors import StoreError
from comedo.store.engine import BUSY_MESSAGE, open_engine, writer
from comedo.store.migrate import upgrade_to
from comedo.store.repository import Store


@pytest.fixture(scope="module")
def analyses() -> list[comedo.Analysis]:
    return [comedo.analyze(skin_scene((120, 160), seed=s).rgb, detector="classical") for s in (31, 32)]


@pytest.fixture()
def saved(tmp_path: Path, analyses: list) -> tuple[str, Path]:
    db = tmp_path / "comedo.sqlite"
    store = Store.open(f"sqlite:///{db}", data_dir=tmp_path)
    store.save_analysis(analyses[0], subject_id="w")
    store.close()
    return f"sqlite:///{db}", db


def _holding_the_write_lock(db: Path) -> Iterator[sqlite3.Connection]:
    """Another writer, mid-transaction: BEGIN IMMEDIATE and an uncommitted row."""
    other = sqlite3.connect(db, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO subjects VALUES ('other', '2026-01-01 00:00:00')")
    try:
        yield other
    finally:
        other.execute("ROLLBACK")
        other.close()


def test_history_runs_while_another_connection_writes(saved: tuple[str, Path], tmp_path: Path) -> None:
    url, db = saved
    for _ in _holding_the_write_lock(db):
        start = time.perf_counter()
        result = CliRunner().invoke(app, ["history", "w", "--db", url], env={"COMEDO_DATA_DIR": str(tmp_path)})
        elapsed = time.perf_counter() - start
        # 0.9.1: 31 s, then "cannot migrate the database: database is locked"
        assert result.exit_code == 0 and "history of w" in result.stdout, result.output
        assert elapsed < 5, elapsed
        store = Store.open(url, data_dir=tmp_path, busy_timeout_s=0.2)  # opening a current store: no lock taken
        assert len(store.history("w")) == 1 and store.sessions() == []
        store.close()


def test_a_store_locked_past_the_timeout_says_busy(saved: tuple[str, Path], tmp_path: Path, analyses: list) -> None:
    url, db = saved
    old = tmp_path / "old.sqlite"  # a store that needs migrating, locked while it would migrate
    engine = open_engine(f"sqlite:///{old}")
    with writer(engine).begin() as conn:
        upgrade_to(conn, "0002")
    engine.dispose()
    for _ in _holding_the_write_lock(old):
        with pytest.raises(StoreError) as info:
            Store.open(f"sqlite:///{old}", data_dir=tmp_path, busy_timeout_s=0.2)
        assert str(info.value) == BUSY_MESSAGE  # 0.9.1: "cannot migrate the database: database is locked"
    store = Store.open(url, data_dir=tmp_path, busy_timeout_s=0.2)
    try:
        for _ in _holding_the_write_lock(db):
            with pytest.raises(StoreError) as info:
                store.save_analysis(analyses[1], subject_id="w")
            assert str(info.value) == BUSY_MESSAGE
            with pytest.raises(StoreError, match="busy"):
                store.start_session("w")
        assert len(store.history("w")) == 1
    finally:
        store.close()


def test_a_full_disk_ends_in_one_line_and_nothing_half_written(saved: tuple[str, Path], tmp_path: Path,
                                                               analyses: list) -> None:
    url, db = saved
    store = Store.open(url, data_dir=tmp_path)
    with sqlite3.connect(db) as probe:
        pages = probe.execute("PRAGMA page_count").fetchone()[0]

    @event.listens_for(store.engine, "connect")
    def _no_room(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        dbapi_connection.execute(f"PRAGMA max_page_count={pages}")  # SQLite's own SQLITE_FULL, as on a full disk

    store.engine.dispose()
    try:
        with pytest.raises(StoreError) as info:
            store.save_analysis(analyses[1], subject_id="w")
        message = str(info.value)
        assert "\n" not in message and "the disk is full" in message and "nothing was written" in message
    finally:
        store.close()
    store = Store.open(url, data_dir=tmp_path)
    assert [r.photo_sha256 for r in store.history("w")] == [analyses[0].image.sha256]
    assert store.check() == []  # integrity ok; the photo file written first is harmless (named by content)
    store.close()
