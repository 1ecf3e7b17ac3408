"""Opening the store: SQLite in the user's data directory by default,
PostgreSQL (or any SQLAlchemy URL) when given one; migrations applied on open.

SQLite is made safe for several processes and for crashes: WAL journal,
synchronous=FULL, a 30 s busy timeout, foreign keys on, and transactions that
really begin at BEGIN (so Alembic's DDL is transactional too: a migration
killed halfway leaves the old schema intact).
"""

from __future__ import annotations

import os
import sys
from importlib import resources
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.exc import SQLAlchemyError

from comedo.errors import StoreError

__all__ = ["default_data_dir", "database_url", "open_engine", "migrate", "DB_ENV", "DATA_ENV"]

DB_ENV = "COMEDO_DB"
DATA_ENV = "COMEDO_DATA_DIR"


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


def open_engine(url: str) -> Engine:
    try:
        if url.startswith("sqlite"):
            engine = create_engine(url, connect_args={"timeout": 30})
            _make_sqlite_safe(engine)
        else:
            if url.startswith("postgresql://"):
                url = "postgresql+psycopg://" + url[len("postgresql://"):]
            engine = create_engine(url, pool_pre_ping=True)
        with engine.connect():
            pass
        return engine
    except (SQLAlchemyError, OSError, ValueError) as exc:
        raise StoreError(f"cannot open the database {_redact(url)}: {exc.__class__.__name__}: "
                         f"{str(exc).splitlines()[0]}") from None


def _make_sqlite_safe(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None  # let SQLAlchemy's BEGIN below start real transactions
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # type: ignore[no-untyped-def]
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision, in one transaction."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(resources.files("comedo.store") / "migrations"))
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot migrate the database: {str(exc).splitlines()[0]}") from None
    if "analyses" not in inspect(engine).get_table_names():
        raise StoreError("migration finished but the analyses table is missing")


def _redact(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url
