"""Opening the store: SQLite in the user's data directory by default,
PostgreSQL (or any SQLAlchemy URL) when given one.

SQLite is made safe for several processes and for crashes: WAL journal,
synchronous=FULL, a busy timeout (30 s unless told), foreign keys on. Reads
begin a plain deferred transaction, so a reader never waits for a writer (WAL
lets it read the last commit); writes go through ``writer(engine)``, whose
transactions begin with BEGIN IMMEDIATE: they take the write lock at the start,
so two writers queue on the busy timeout instead of one failing halfway.
"""

from __future__ import annotations

import os
import sqlite3
import sys
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from comedo.errors import StoreError

__all__ = ["default_data_dir", "database_url", "open_engine", "writer", "sqlite_path", "store_error",
           "BUSY_MESSAGE", "DB_ENV", "DATA_ENV"]

DB_ENV = "COMEDO_DB"
DATA_ENV = "COMEDO_DATA_DIR"
BUSY_MESSAGE = "the store is busy (another comedo is writing); try again"
_WRITE_OPTION = "comedo_write"


def default_data_dir() -> Path:
    """Where comedo keeps its database and photos unless told otherwise."""
    if os.environ.get(DATA_ENV):
        return Path(os.environ[DATA_ENV]).expanduser()
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "comedo"
    if sys.platform == "win32":
        return Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local")) / "comedo"
    return Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share")) / "comedo"


def database_url(url: str | None = None, data_dir: Path | None = None) -> str:
    """``url``, else $COMEDO_DB, else SQLite in the data directory."""
    url = url or os.environ.get(DB_ENV) or None
    if url:
        return url
    directory = data_dir or default_data_dir()
    directory.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{directory / 'comedo.sqlite'}"


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL; None for another database or an in-memory one."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return None
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def open_engine(url: str, *, busy_timeout_s: float = 30.0) -> Engine:
    """An engine for ``url``, checked by one connection; ``busy_timeout_s`` is how long a SQLite writer waits
    for another writer's lock before the store says it is busy."""
    try:
        if url.startswith("sqlite"):
            engine = create_engine(url, connect_args={"timeout": busy_timeout_s})
            _make_sqlite_safe(engine, busy_timeout_s)
        else:
            if url.startswith("postgresql://"):
                url = "postgresql+psycopg://" + url[len("postgresql://"):]
            engine = create_engine(url, pool_pre_ping=True)
        with engine.connect():
            pass
        return engine
    except (SQLAlchemyError, OSError, ValueError) as exc:
        if isinstance(exc, SQLAlchemyError) and _is_busy(exc):
            raise StoreError(BUSY_MESSAGE) from None
        raise StoreError(f"cannot open the database {_redact(url)}: {exc.__class__.__name__}: "
                         f"{str(exc).splitlines()[0]}") from None


def writer(engine: Engine) -> Engine:
    """The same engine (same pool), whose transactions take the write lock when they begin (on SQLite)."""
    return engine.execution_options(**{_WRITE_OPTION: True})


def store_error(exc: SQLAlchemyError | sqlite3.Error, doing: str) -> StoreError:
    """One line for a database error: a busy store and a full disk say so and what to do."""
    text = (str(getattr(exc, "orig", None) or exc).splitlines() or [exc.__class__.__name__])[0]
    if _is_busy(exc):
        return StoreError(BUSY_MESSAGE)
    if "database or disk is full" in text:
        return StoreError(f"{doing}: the disk is full (database or disk is full); nothing was written. Free some "
                          "space and try again")
    return StoreError(f"{doing}: {text}")


def _is_busy(exc: BaseException) -> bool:
    text = str(getattr(exc, "orig", None) or exc)
    return "database is locked" in text or "database is busy" in text


def _make_sqlite_safe(engine: Engine, busy_timeout_s: float) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None  # let SQLAlchemy's BEGIN below start real transactions
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_s * 1000)}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # type: ignore[no-untyped-def]
        write = conn.get_execution_options().get(_WRITE_OPTION, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def _redact(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url
