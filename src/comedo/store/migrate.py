"""Bringing a store's schema to this version's, only when it is behind.

Opening a current store reads the Alembic revision in a plain read transaction and takes no write lock, so
``comedo history`` runs while another comedo writes. A store that is behind is migrated in one write
transaction. On SQLite the store is first copied beside itself (the copy's name is returned), and foreign-key
enforcement is turned off around the migration: a table rebuild (SQLite's ALTER TABLE procedure) drops the old
table, which with enforcement on fails as soon as another table's row points into it. ``PRAGMA foreign_keys``
cannot change inside a transaction, so it is switched outside it, and ``PRAGMA foreign_key_check`` runs before
the commit: a migration that would leave a dangling reference is rolled back.
"""

from __future__ import annotations

import sqlite3
from importlib import resources
from pathlib import Path

from sqlalchemy import Connection, Engine, inspect
from sqlalchemy.exc import SQLAlchemyError

from comedo.errors import StoreError
from comedo.store.engine import sqlite_path, store_error, writer
from comedo.store.sqlite_files import backup_path_for, backup_sqlite

__all__ = ["migrate", "head_revision", "current_revision", "alembic_config", "upgrade_to"]


def alembic_config(connection: Connection):  # type: ignore[no-untyped-def]
    """Alembic's configuration for comedo's migrations, run on ``connection`` (never a URL from an ini file)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(resources.files("comedo.store") / "migrations"))
    config.attributes["connection"] = connection
    return config


def _script():  # type: ignore[no-untyped-def]
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(resources.files("comedo.store") / "migrations"))
    return ScriptDirectory.from_config(config)


def head_revision() -> str:
    head = _script().get_current_head()
    if head is None:
        raise StoreError("comedo's migrations have no head revision")
    return str(head)


def current_revision(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def migrate(engine: Engine, *, url: str | None = None) -> Path | None:
    """Bring the schema to the newest revision; returns the backup made first (SQLite), None when none was
    needed. ``url`` names the SQLite file to back up beside."""
    head = head_revision()
    try:
        with engine.connect() as connection:  # a plain read: no write lock on a current store
            current = current_revision(connection)
    except SQLAlchemyError as exc:
        raise store_error(exc, "cannot read the store's schema revision") from None
    if current == head:
        return None
    _check_known(current)
    db_path = sqlite_path(url) if url is not None else None
    try:
        if engine.dialect.name == "sqlite":
            backup = _migrate_sqlite(engine, head, db_path)
        else:
            with writer(engine).begin() as connection:
                upgrade_to(connection, "head")
            backup = None
    except SQLAlchemyError as exc:
        raise store_error(exc, "cannot migrate the database") from None
    except sqlite3.Error as exc:  # the backup
        raise store_error(exc, "cannot back the store up before migrating it; nothing was changed") from None
    except OSError as exc:
        raise StoreError(f"cannot back the store up before migrating it ({exc.strerror or exc}); nothing was "
                         "changed") from None
    if "analyses" not in inspect(engine).get_table_names():
        raise StoreError("migration finished but the analyses table is missing")
    return backup


def upgrade_to(connection: Connection, revision: str) -> None:
    """Run comedo's migrations on ``connection`` up to ``revision`` (in the connection's transaction)."""
    from alembic import command

    command.upgrade(alembic_config(connection), revision)


def _check_known(current: str | None) -> None:
    if current is None:
        return
    if current not in {rev.revision for rev in _script().walk_revisions()}:
        raise StoreError(f"the store's schema (revision {current}) is newer than this comedo knows; upgrade "
                         "comedo to open it")


def _migrate_sqlite(engine: Engine, head: str, db_path: Path | None) -> Path | None:
    with writer(engine).connect() as connection:
        raw = connection.connection.driver_connection  # the sqlite3 connection, outside any transaction yet
        raw.execute("PRAGMA foreign_keys=OFF")
        try:
            with connection.begin():  # BEGIN IMMEDIATE: from here on no one else writes
                current = current_revision(connection)
                if current == head:  # another process migrated it while this one waited for the lock
                    return None
                backup = None
                if current is not None and db_path is not None:
                    # From a connection of its own: the lock held here keeps writers out, readers may read on,
                    # and a backup read through a connection in a write transaction never finishes.
                    source = sqlite3.connect(db_path)
                    try:
                        backup = backup_sqlite(source, backup_path_for(db_path, f"r{current}"))
                    finally:
                        source.close()
                upgrade_to(connection, "head")
                dangling = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if dangling:
                    table, rowid, parent, _ = dangling[0]
                    raise StoreError(f"cannot migrate the database: {len(dangling)} row(s) would point at "
                                     f"nothing (first: {table} row {rowid} -> {parent}); nothing was changed")
            return backup
        finally:
            raw.execute("PRAGMA foreign_keys=ON")
