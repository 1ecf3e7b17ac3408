"""Store fixtures: a database URL per backend, each test on a fresh database (a SQLite file, or a new database
on the PostgreSQL server named by ``COMEDO_TEST_PG``; CI provides one, elsewhere the PostgreSQL half skips)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

PG_URL = os.environ.get("COMEDO_TEST_PG")


def fresh_pg_database() -> Iterator[str]:
    """A new, empty database on the test server, dropped afterwards (the connections to it ended first)."""
    from sqlalchemy import create_engine, text

    if not PG_URL:
        if os.environ.get("CI"):
            pytest.fail("CI must provide a PostgreSQL server in COMEDO_TEST_PG")
        pytest.skip("no PostgreSQL server (set COMEDO_TEST_PG)")
    admin = create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT")
    name = f"comedo_t_{secrets.token_hex(4)}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield PG_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"))
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty store's URL on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.sqlite'}"
        return
    yield from fresh_pg_database()
