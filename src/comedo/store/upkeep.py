"""Looking after a store: ``check`` (is everything there and whole) and ``backup`` (a consistent copy).

Kept out of ``repository`` because nothing on the analysis path needs them."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from comedo.errors import InvalidInputError, StoreError
from comedo.files import file_sha256
from comedo.store.engine import store_error
from comedo.store.models import Photo
from comedo.store.sqlite_files import backup_path_for, backup_sqlite

__all__ = ["check_store", "backup_store"]


class Store(Protocol):
    """What looking after a store reads from one (``comedo.store.repository.Store``, which calls these functions
    from its ``check`` and ``backup``, so this module does not import it back)."""

    @property
    def engine(self) -> Engine: ...

    @property
    def photo_dir(self) -> Path: ...

    @property
    def db_path(self) -> Path | None: ...


def check_store(store: Store) -> list[str]:
    """One line per problem: SQLite's integrity_check and foreign_key_check (PostgreSQL enforces both itself),
    and every stored photo file present with the sha256 its row recorded."""
    problems: list[str] = []
    try:
        with Session(store.engine) as session:
            if store.engine.dialect.name == "sqlite":
                conn = session.connection()
                problems += [f"sqlite integrity_check: {row[0]}" for row in
                             conn.exec_driver_sql("PRAGMA integrity_check").fetchall() if row[0] != "ok"]
                problems += [f"dangling reference: {table} row {rowid} points at a missing {parent} row"
                             for table, rowid, parent, _ in conn.exec_driver_sql("PRAGMA foreign_key_check")]
            photos = session.execute(select(Photo.sha256, Photo.stored_path, Photo.stored_sha256)).all()
    except SQLAlchemyError as exc:
        raise store_error(exc, "cannot check the store") from None
    for sha, rel, stored_sha in photos:
        path = store.photo_dir / rel
        if not path.is_file():
            problems.append(f"photo file missing: {path} (photo {sha[:12]}; saving that photo again restores it)")
        elif file_sha256(path) != stored_sha:
            problems.append(f"photo file altered: {path} (photo {sha[:12]}; its sha256 is not the one stored)")
    return problems


def backup_store(store: Store, out: Path | None = None) -> Path:
    """A consistent copy of a SQLite store (SQLite's online backup: whole even while others write), beside the
    store with a timestamped name, or at ``out`` (a folder gets the timestamped name inside it). The photos
    are not copied: they are files named by their content, never changed once written."""
    if store.engine.dialect.name != "sqlite" or store.db_path is None:
        raise StoreError(f"comedo store backup copies SQLite stores; back up this {store.engine.dialect.name} "
                         "store with its own tools (pg_dump for PostgreSQL)")
    default = backup_path_for(store.db_path)
    if out is None:
        dest = default
    elif out.is_dir() or str(out).endswith(("/", "\\")):
        dest = out / default.name
    else:
        dest = out
    if dest.exists():
        raise InvalidInputError(f"--out {dest}: exists; a backup never overwrites a file, give a new name")
    try:
        with store.engine.connect() as connection:
            backup_sqlite(connection.connection.driver_connection, dest)
    except SQLAlchemyError as exc:
        raise store_error(exc, "cannot back the store up") from None
    except sqlite3.Error as exc:
        raise store_error(exc, f"cannot back the store up to {dest}") from None
    except OSError as exc:
        raise StoreError(f"cannot back the store up to {dest}: {exc.strerror or exc}") from None
    return dest
