"""Alembic environment: runs on the connection comedo hands over (never a URL
from an ini file), one transaction per upgrade, also on SQLite."""

from __future__ import annotations

from alembic import context

from comedo.store.models import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, transactional_ddl=True,
                  render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
