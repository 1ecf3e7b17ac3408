"""Close-ups are not graded (document schema 1.1): the grade columns of analyses may be null.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_COLUMNS = (("hayashi_grade", sa.Integer()), ("iga_grade", sa.Integer()), ("nice_band", sa.String(32)))


def upgrade() -> None:
    with op.batch_alter_table("analyses") as batch:  # a table copy on SQLite, ALTER COLUMN elsewhere
        for name, kind in _COLUMNS:
            batch.alter_column(name, existing_type=kind, nullable=True)


def downgrade() -> None:
    with op.batch_alter_table("analyses") as batch:
        for name, kind in _COLUMNS:
            batch.alter_column(name, existing_type=kind, nullable=False)
