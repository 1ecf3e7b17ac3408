"""Initial schema: subjects, photos, analyses, extraction sessions and steps.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "subjects",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "photos",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("stored_path", sa.String(255), nullable=False),
        sa.Column("stored_sha256", sa.String(64), nullable=False),
        sa.Column("width", sa.Integer, nullable=False),
        sa.Column("height", sa.Integer, nullable=False),
        sa.Column("original_name", sa.String(255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "analyses",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("subject_id", sa.String(64), sa.ForeignKey("subjects.id"), nullable=True),
        sa.Column("photo_sha256", sa.String(64), sa.ForeignKey("photos.sha256"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("schema_version", sa.String(16), nullable=False),
        sa.Column("lesion_count", sa.Integer, nullable=False),
        sa.Column("non_inflammatory", sa.Integer, nullable=False),
        sa.Column("papules_pustules", sa.Integer, nullable=False),
        sa.Column("nodules_cysts", sa.Integer, nullable=False),
        sa.Column("hayashi_grade", sa.Integer, nullable=False),
        sa.Column("iga_grade", sa.Integer, nullable=False),
        sa.Column("nice_band", sa.String(32), nullable=False),
        sa.Column("irritation", sa.String(16), nullable=False),
        sa.Column("delta_a_p90", sa.Float, nullable=True),
        sa.Column("dark_spot_count", sa.Integer, nullable=False),
        sa.Column("triage_level", sa.String(16), nullable=True),
        sa.Column("document", sa.JSON, nullable=False),
    )
    op.create_index("ix_analyses_subject_id", "analyses", ["subject_id"])
    op.create_index("ix_analyses_photo_sha256", "analyses", ["photo_sha256"])
    op.create_index("ix_analyses_created_at", "analyses", ["created_at"])
    op.create_index("ix_analyses_subject_time", "analyses", ["subject_id", "created_at"])
    op.create_table(
        "extraction_sessions",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("subject_id", sa.String(64), sa.ForeignKey("subjects.id"), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("analysis_id", sa.Integer, sa.ForeignKey("analyses.id"), nullable=True),
        sa.Column("extraction_advice", sa.String(32), nullable=True),
        sa.Column("advice_why", sa.JSON, nullable=True),
    )
    op.create_index("ix_extraction_sessions_subject_id", "extraction_sessions", ["subject_id"])
    op.create_table(
        "session_steps",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("session_id", sa.String(32), sa.ForeignKey("extraction_sessions.id"), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("step", sa.String(32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("photo_sha256", sa.String(64), sa.ForeignKey("photos.sha256"), nullable=True),
        sa.Column("analysis_id", sa.Integer, sa.ForeignKey("analyses.id"), nullable=True),
        sa.Column("note", sa.Text, nullable=True),
        sa.Column("override_reason", sa.Text, nullable=True),
    )
    op.create_index("ix_session_steps_session_id", "session_steps", ["session_id"])


def downgrade() -> None:
    for table in ("session_steps", "extraction_sessions", "analyses", "photos", "subjects"):
        op.drop_table(table)
