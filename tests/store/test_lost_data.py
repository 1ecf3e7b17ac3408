"""The store notices lost data: an emptied or foreign store file beside stored photos is refused with how to
recover, a deleted photo file is restored by saving the photo again, and ``comedo store check`` / ``backup``."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from synthetic import skin_scene
from typer.testing import CliRunner

import comedo
from comedo.cli.main import app
from comedo.errors import StoreError
from comedo.store.repository import Store

runner = CliRunner()


@pytest.fixture(scope="module")
def analyses() -> list[comedo.Analysis]:
    return [comedo.analyze(skin_scene((120, 160), seed=s).rgb, detector="classical") for s in (21, 22)]


def _errors(result) -> list[str]:  # type: ignore[no-untyped-def]
    return [line for line in result.stderr.splitlines() if line.startswith("comedo: error")]


def _saved_store(tmp_path: Path, analyses: list[comedo.Analysis]) -> tuple[str, Path]:
    db = tmp_path / "comedo.sqlite"
    store = Store.open(f"sqlite:///{db}", data_dir=tmp_path)
    for a in analyses:
        store.save_analysis(a, subject_id="k")
    store.close()
    return f"sqlite:///{db}", db


@pytest.mark.parametrize("damage", ["empty", "foreign"])
def test_a_store_file_that_lost_its_data_is_refused_with_how_to_recover(tmp_path: Path, analyses: list,
                                                                        damage: str) -> None:
    url, db = _saved_store(tmp_path, analyses)
    backup = Store.open(url, data_dir=tmp_path).backup()
    for companion in (db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
        companion.unlink(missing_ok=True)
    db.write_bytes(b"" if damage == "empty" else b"<html>not a database</html>")
    with pytest.raises(StoreError) as info:
        Store.open(url, data_dir=tmp_path)
    assert "\n" not in str(info.value) and str(backup) in str(info.value) and "comedo store check" in str(info.value)
    result = runner.invoke(app, ["history", "k", "--db", url], env={"COMEDO_DATA_DIR": str(tmp_path)})
    assert result.exit_code == 1 and len(_errors(result)) == 1, result.output  # 0.9.1: a new, empty store
    assert ("is empty (0 bytes) but" if damage == "empty" else "is not a SQLite database") in _errors(result)[0]
    assert db.stat().st_size == (0 if damage == "empty" else 27)  # left as it was, for the person to recover


def test_an_empty_file_without_photos_is_a_new_store(tmp_path: Path) -> None:
    db = tmp_path / "new.sqlite"
    db.touch()
    Store.open(f"sqlite:///{db}", data_dir=tmp_path).close()
    assert db.stat().st_size > 0


def test_saving_a_photo_again_restores_its_deleted_or_altered_file(db_url: str, tmp_path: Path,
                                                                 analyses: list) -> None:
    store = Store.open(db_url, data_dir=tmp_path)
    try:
        first = store.save_analysis(analyses[0], subject_id="f")
        path = store.photo_path(analyses[0].image.sha256)
        original = path.read_bytes()
        path.unlink()
        assert store.check() == [f"photo file missing: {path} (photo {analyses[0].image.sha256[:12]}; saving that "
                                 "photo again restores it)"]
        assert store.save_analysis(analyses[0], subject_id="f") == first  # the row already there...
        assert path.read_bytes() == original  # ...and its file, back (0.9.1: still missing)
        path.write_bytes(b"x" + original[1:])
        assert [p.split(":")[0] for p in store.check()] == ["photo file altered"]
        store.save_analysis(analyses[0], subject_id="f")
        assert path.read_bytes() == original and store.check() == []
    finally:
        store.close()


def test_store_check_lists_each_problem_and_exits_1(tmp_path: Path, analyses: list) -> None:
    url, _ = _saved_store(tmp_path, analyses)
    env = {"COMEDO_DATA_DIR": str(tmp_path)}
    healthy = runner.invoke(app, ["store", "check", "--db", url], env=env)
    assert healthy.exit_code == 0 and "store ok" in healthy.stdout, healthy.output
    store = Store.open(url, data_dir=tmp_path)
    missing, altered = (store.photo_path(a.image.sha256) for a in analyses)
    store.close()
    missing.unlink()
    altered.write_bytes(b"not the photo")
    result = runner.invoke(app, ["store", "check", "--db", url], env=env)
    assert result.exit_code == 1 and _errors(result) == ["comedo: error: the store has 2 problems (listed above)"]
    problems = [line for line in result.stdout.splitlines() if line.startswith("problem: ")]
    assert len(problems) == 2 and str(missing) in problems[0] + problems[1] and str(altered) in "".join(problems)


def test_store_backup_is_a_consistent_copy_also_while_another_connection_writes(tmp_path: Path,
                                                                                 analyses: list) -> None:
    url, db = _saved_store(tmp_path, analyses)
    env = {"COMEDO_DATA_DIR": str(tmp_path)}
    writer = sqlite3.connect(db, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO subjects VALUES ('uncommitted', '2026-01-01 00:00:00')")
    try:
        result = runner.invoke(app, ["store", "backup", "--db", url, "--out", str(tmp_path / "copies") + "/"],
                               env=env)
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert result.exit_code == 0, result.output
    copies = list((tmp_path / "copies").glob("comedo.sqlite.backup-*"))
    assert len(copies) == 1 and str(copies[0]) in result.stdout
    with sqlite3.connect(copies[0]) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert copy.execute("SELECT count(*) FROM analyses").fetchone()[0] == 2
        assert copy.execute("SELECT id FROM subjects").fetchall() == [("k",)]  # the committed rows only
    again = runner.invoke(app, ["store", "backup", "--db", url, "--out", str(copies[0])], env=env)
    assert again.exit_code == 2 and len(_errors(again)) == 1 and "never overwrites" in _errors(again)[0]


def test_store_backup_of_postgresql_says_pg_dump(tmp_path: Path) -> None:
    from conftest import fresh_pg_database

    for url in fresh_pg_database():
        result = runner.invoke(app, ["store", "backup", "--db", url], env={"COMEDO_DATA_DIR": str(tmp_path)})
        assert result.exit_code == 1 and len(_errors(result)) == 1 and "pg_dump" in _errors(result)[0]
