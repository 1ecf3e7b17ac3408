"""Stores of every earlier schema (Alembic 0001, the 0.5 era, and 0002), every table filled (duplicate analyses,
a NULL subject, sessions and steps pointing at analyses, the old step names), upgraded by opening them: every
row is carried, duplicates merged into the first saved row with their references re-pointed, on SQLite and on
PostgreSQL. Reading the tables back by reflection compares every column of every row."""

from __future__ import annotations

import sqlite3
import threading
import warnings
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from conftest import fresh_pg_database

from comedo.errors import StoreError
from comedo.store.engine import open_engine, writer
from comedo.store.migrate import head_revision, upgrade_to
from comedo.store.repository import Store

T0 = datetime(2025, 3, 1, 9, 30, tzinfo=timezone.utc)
SHA = {name: (name * 64)[:64] for name in ("a", "b", "c")}  # three photos


@pytest.fixture(params=[("0001", "sqlite"), ("0001", "postgresql"), ("0002", "sqlite"), ("0002", "postgresql")],
                ids=lambda p: f"{p[0]}-{p[1]}")
def old_store(request: pytest.FixtureRequest, tmp_path: Path):  # type: ignore[no-untyped-def]
    """(url, revision, ids of what was inserted): an old store, filled."""
    base, backend = request.param
    urls = fresh_pg_database() if backend == "postgresql" else iter([f"sqlite:///{tmp_path / 'comedo.sqlite'}"])
    url = next(urls)
    ids = _build(url, base)
    yield url, base, ids
    for _ in urls:
        pass


def _build(url: str, base: str, *, fill: bool = True) -> dict[str, Any]:
    """Bring the store at ``url`` to the earlier revision ``base``, filled (unless ``fill`` is off); the ids."""
    engine = open_engine(url)
    with writer(engine).begin() as conn:
        upgrade_to(conn, base)
        ids = _fill(conn, base) if fill else {}
    engine.dispose()
    return ids


def _fill(conn: sa.Connection, base: str) -> dict[str, Any]:
    meta = sa.MetaData()
    meta.reflect(conn)
    t = meta.tables
    conn.execute(t["subjects"].insert(), [{"id": s, "created_at": T0} for s in ("s1", "s2")])
    conn.execute(t["photos"].insert(), [
        {"sha256": sha, "stored_path": f"{sha[:2]}/{sha}.png", "stored_sha256": sha[::-1], "width": 64,
         "height": 48, "original_name": f"{name}.jpg", "created_at": T0} for name, sha in SHA.items()])

    def analysis(subject: str | None, photo: str, version: str | None, minute: int, graded: bool = True) -> int:
        doc: dict[str, Any] = {"schema_version": "1.0", "image": {"sha256": SHA[photo]}, "minute": minute}
        if version is not None:
            doc["provenance"] = {"comedo_version": version}
        row = {"subject_id": subject, "photo_sha256": SHA[photo], "created_at": T0 + timedelta(minutes=minute),
               "schema_version": "1.0", "lesion_count": minute, "non_inflammatory": 1, "papules_pustules": 2,
               "nodules_cysts": 0, "hayashi_grade": 1 if graded else None, "iga_grade": 2 if graded else None,
               "nice_band": "mild_to_moderate" if graded else None, "irritation": "slight", "delta_a_p90": 3.5,
               "dark_spot_count": 4, "triage_level": "self_care", "document": doc}
        return int(conn.execute(t["analyses"].insert().values(**row)).inserted_primary_key[0])

    ids = {
        "a1": analysis("s1", "a", "0.5.0", 1),
        "a2": analysis("s1", "a", "0.5.0", 2),  # the same photo, subject and version again: merged into a1
        "a3": analysis("s1", "a", "0.6.0", 3),  # another version: its own row
        "a4": analysis(None, "b", "0.5.0", 4),
        "a5": analysis(None, "b", "0.5.0", 5),  # no subject, twice: merged into a4
        "a6": analysis("s2", "b", "0.5.0", 6),  # another subject: its own row
        "a7": analysis("s2", "c", None, 7),  # a document without provenance: version "?"
    }
    if base == "0002":
        ids["a8"] = analysis("s1", "c", "0.9.1", 8, graded=False)  # a close-up: not graded (0002's nulls)
    conn.execute(t["extraction_sessions"].insert(), [
        {"id": "e1", "subject_id": "s1", "started_at": T0, "analysis_id": ids["a2"],
         "extraction_advice": "ok_with_care", "advice_why": ["a blackhead"]},
        {"id": "e2", "subject_id": "s2", "started_at": T0, "analysis_id": ids["a6"],
         "extraction_advice": "do_not_extract", "advice_why": ["deep"]},
        {"id": "e3", "subject_id": "s1", "started_at": T0, "analysis_id": None, "extraction_advice": None,
         "advice_why": None}])
    steps = [("e1", 1, "sterilise", None), ("e1", 2, "identify_core", ids["a2"]), ("e1", 3, "apply_pressure", None),
             ("e1", 4, "apply_pressure", ids["a5"]), ("e1", 5, "release", None), ("e1", 6, "aftercare", ids["a3"]),
             ("e2", 1, "sterilise", None), ("e2", 2, "identify_core", None),
             ("e2", 2, "aftercare", None)]  # two steps given one number by a race before 0003
    for session_id, seq, step, analysis_id in steps:
        conn.execute(t["session_steps"].insert().values(
            session_id=session_id, seq=seq, step=step, created_at=T0 + timedelta(seconds=seq), analysis_id=analysis_id,
            photo_sha256=SHA["a"] if analysis_id else None, note=f"{step} note", override_reason=None))
    return ids


def _snapshot(url: str) -> dict[str, list[dict[str, Any]]]:
    engine = open_engine(url)
    meta = sa.MetaData()
    with engine.connect() as conn:
        with warnings.catch_warnings():  # SQLAlchemy does not reflect the COALESCE index on SQLite, and says so
            warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based index",
                                    sa.exc.SAWarning)
            meta.reflect(conn)
        out = {name: [dict(r._mapping) for r in conn.execute(sa.select(table).order_by(*table.primary_key.columns))]
               for name, table in meta.tables.items() if name != "alembic_version"}
        out["alembic_version"] = [dict(r._mapping) for r in conn.execute(sa.text("SELECT * FROM alembic_version"))]
    engine.dispose()
    return out


def test_every_row_of_an_old_store_is_carried_to_the_new_schema(old_store: tuple[str, str, dict],
                                                                 tmp_path: Path) -> None:
    url, base, ids = old_store
    before = _snapshot(url)
    store = Store.open(url, data_dir=tmp_path)  # 0.9.1 failed here on a 0001 SQLite store (FOREIGN KEY failed)
    store.close()
    after = _snapshot(url)
    assert after["alembic_version"] == [{"version_num": head_revision()}]
    assert after["subjects"] == before["subjects"] and after["photos"] == before["photos"]

    merged = {ids["a2"]: ids["a1"], ids["a5"]: ids["a4"]}
    versions = {"a1": "0.5.0", "a3": "0.6.0", "a4": "0.5.0", "a6": "0.5.0", "a7": "?", "a8": "0.9.1"}
    expected = [{**row, "comedo_version": versions[next(k for k, v in ids.items() if v == row["id"])]}
                for row in before["analyses"] if row["id"] not in merged]
    assert after["analyses"] == expected
    assert len(after["analyses"]) == len(before["analyses"]) - 2

    def repoint(analysis_id: int | None) -> int | None:
        return merged.get(analysis_id, analysis_id) if analysis_id is not None else None

    assert after["extraction_sessions"] == [{**row, "analysis_id": repoint(row["analysis_id"])}
                                            for row in before["extraction_sessions"]]
    assert [s["analysis_id"] for s in after["extraction_sessions"]] == [ids["a1"], ids["a6"], None]

    renamed = {"identify_core": "find_the_core", "apply_pressure": "gentle_pressure"}
    attempts = [1, 1, 1, 2, 1, 1, 1, 1, 1]  # e1's second apply_pressure is its attempt 2
    seqs = [1, 2, 3, 4, 5, 6, 1, 2, 3]  # e2's two steps numbered 2 become 2 and 3, in the order recorded
    assert after["session_steps"] == [
        {**row, "step": renamed.get(row["step"], row["step"]), "analysis_id": repoint(row["analysis_id"]),
         "attempt": attempt, "seq": seq, "warnings": None}
        for row, attempt, seq in zip(before["session_steps"], attempts, seqs, strict=True)]

    if url.startswith("sqlite"):
        db = Path(url.removeprefix("sqlite:///"))
        assert store.migration_backup is not None and store.migration_backup.parent == db.parent
        assert store.migration_backup.name.startswith("comedo.sqlite.backup-")
        assert store.migration_backup.name.endswith(f"-r{base}")
        with sqlite3.connect(store.migration_backup) as old:  # the backup is the old store, whole
            assert old.execute("SELECT version_num FROM alembic_version").fetchall() == [(base,)]
            assert old.execute("SELECT count(*) FROM analyses").fetchone()[0] == len(before["analyses"])
            assert old.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        with sqlite3.connect(db) as new:
            assert new.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert new.execute("PRAGMA foreign_key_check").fetchall() == []
    reopened = Store.open(url, data_dir=tmp_path)  # current now: no second migration, no second backup
    assert reopened.migration_backup is None
    assert [r.analysis_id for r in reopened.history("s1")] == [ids["a1"], ids["a3"]] + ([ids["a8"]] if base == "0002"
                                                                                        else [])
    assert [s["step"] for s in reopened.session_info("e1")["steps"]] == [
        "sterilise", "find_the_core", "gentle_pressure", "gentle_pressure", "release", "aftercare"]
    reopened.close()


def test_the_cli_says_where_the_backup_of_an_upgraded_store_is(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from comedo.cli.main import app

    url = f"sqlite:///{tmp_path / 'comedo.sqlite'}"
    _build(url, "0001")
    result = CliRunner().invoke(app, ["history", "s1", "--db", url], env={"COMEDO_DATA_DIR": str(tmp_path)})
    assert result.exit_code == 0, result.output
    backups = list(tmp_path.glob("comedo.sqlite.backup-*-r0001"))
    assert len(backups) == 1
    assert result.stderr.splitlines() == [f"note: the store was upgraded to this version's schema; the old one is "
                                          f"kept in {backups[0]}"]


def test_a_migration_that_would_leave_a_dangling_reference_changes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "comedo.sqlite"
    url = f"sqlite:///{db}"
    _build(url, "0002", fill=False)
    with sqlite3.connect(db) as raw:  # a step pointing at an analysis that is not there (written without checks)
        raw.execute("PRAGMA foreign_keys=OFF")
        raw.execute("INSERT INTO subjects VALUES ('s', '2025-01-01 00:00:00')")
        raw.execute("INSERT INTO extraction_sessions VALUES ('e', 's', '2025-01-01 00:00:00', NULL, NULL, NULL)")
        raw.execute("INSERT INTO session_steps (session_id, seq, step, created_at, analysis_id) "
                    "VALUES ('e', 1, 'sterilise', '2025-01-01 00:00:00', 999)")
    with pytest.raises(StoreError, match=r"1 row\(s\) would point at nothing .*nothing was changed"):
        Store.open(url, data_dir=tmp_path)
    with sqlite3.connect(db) as raw:
        assert raw.execute("SELECT version_num FROM alembic_version").fetchall() == [("0002",)]
        assert raw.execute("SELECT step FROM session_steps").fetchall() == [("sterilise",)]
        assert raw.execute("PRAGMA foreign_keys").fetchone()[0] == 0  # a new connection: the default


def test_stores_opened_at_once_migrate_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'comedo.sqlite'}"
    _build(url, "0001")
    barrier = threading.Barrier(3)
    results: list[object] = []

    def open_store() -> None:
        barrier.wait()
        try:
            store = Store.open(url, data_dir=tmp_path)
            results.append(store.migration_backup)
            store.close()
        except StoreError as exc:  # pragma: no cover - reported by the assertion below
            results.append(exc)

    threads = [threading.Thread(target=open_store) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not [r for r in results if isinstance(r, StoreError)], results
    assert sum(r is not None for r in results) == 1  # one migrated (and backed up); the others found it done
    assert len(list(tmp_path.glob("comedo.sqlite.backup-*"))) == 1
