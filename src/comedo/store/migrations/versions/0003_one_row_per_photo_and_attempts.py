"""One row per photo, subject and version; numbered step attempts; the protocol's step names.

- ``analyses.comedo_version`` (from each document's provenance) and a unique index on (photo, subject or '',
  version): saving the same photo again can no longer add a row, also without a subject (COALESCE, as a NULL
  never equals another NULL). Existing duplicates are merged into the first saved row; sessions and steps that
  pointed at a removed duplicate are re-pointed at it.
- ``session_steps.attempt`` and unique (session, step, attempt) and (session, seq): two simultaneous
  ``session step S sterilise`` cannot both be attempt 1; ``--again`` makes attempt n+1. ``warnings``: what a
  step photo showed that should stop the extraction.
- Step names of the extraction protocol (comedo.explain.advice.EXTRACTION_STEPS): identify_core is
  find_the_core, apply_pressure is gentle_pressure.

Only added columns and indexes, no table rebuild; runs on SQLite and PostgreSQL.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

RENAMED_STEPS = {"identify_core": "find_the_core", "apply_pressure": "gentle_pressure"}

_analyses = sa.table("analyses", sa.column("id", sa.Integer), sa.column("photo_sha256", sa.String),
                     sa.column("subject_id", sa.String), sa.column("comedo_version", sa.String),
                     sa.column("document", sa.JSON))
_sessions = sa.table("extraction_sessions", sa.column("analysis_id", sa.Integer))
_steps = sa.table("session_steps", sa.column("id", sa.Integer), sa.column("session_id", sa.String),
                  sa.column("seq", sa.Integer), sa.column("step", sa.String), sa.column("attempt", sa.Integer),
                  sa.column("analysis_id", sa.Integer))


def upgrade() -> None:
    bind = op.get_bind()
    op.add_column("analyses", sa.Column("comedo_version", sa.String(32), nullable=False, server_default="?"))
    _fill_versions(bind)
    _merge_duplicate_analyses(bind)
    op.create_index("uq_analyses_photo_subject_version", "analyses",
                    ["photo_sha256", sa.text("coalesce(subject_id, '')"), "comedo_version"], unique=True)

    for old, new in RENAMED_STEPS.items():
        bind.execute(sa.update(_steps).where(_steps.c.step == old).values(step=new))
    op.add_column("session_steps", sa.Column("attempt", sa.Integer, nullable=False, server_default="1"))
    op.add_column("session_steps", sa.Column("warnings", sa.JSON, nullable=True))
    _number_attempts(bind)
    op.create_index("uq_session_steps_attempt", "session_steps", ["session_id", "step", "attempt"], unique=True)
    op.create_index("uq_session_steps_seq", "session_steps", ["session_id", "seq"], unique=True)


def _fill_versions(bind: sa.Connection) -> None:
    by_version: dict[str, list[int]] = defaultdict(list)
    for row_id, document in bind.execute(sa.select(_analyses.c.id, _analyses.c.document)):
        version = ((document or {}).get("provenance") or {}).get("comedo_version") if isinstance(document, dict) \
            else None
        by_version[str(version)[:32] if version else "?"].append(row_id)
    for version, ids in by_version.items():
        if version != "?":
            for chunk in _chunks(ids):
                bind.execute(sa.update(_analyses).where(_analyses.c.id.in_(chunk)).values(comedo_version=version))


def _merge_duplicate_analyses(bind: sa.Connection) -> None:
    """Keep the first saved row of each (photo, subject, version); point references to the others at it."""
    groups: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    rows = bind.execute(sa.select(_analyses.c.id, _analyses.c.photo_sha256, _analyses.c.subject_id,
                                  _analyses.c.comedo_version).order_by(_analyses.c.id))
    for row_id, photo, subject, version in rows:
        groups[(photo, subject or "", version)].append(row_id)
    for ids in groups.values():
        keep, drop = ids[0], ids[1:]
        for chunk in _chunks(drop):
            bind.execute(sa.update(_sessions).where(_sessions.c.analysis_id.in_(chunk)).values(analysis_id=keep))
            bind.execute(sa.update(_steps).where(_steps.c.analysis_id.in_(chunk)).values(analysis_id=keep))
            bind.execute(sa.delete(_analyses).where(_analyses.c.id.in_(chunk)))


def _number_attempts(bind: sa.Connection) -> None:
    """Attempts 1, 2... of each step of a session in the order recorded; seq renumbered 1, 2... where two
    steps of one session shared a number (a race before this revision)."""
    rows = bind.execute(sa.select(_steps.c.id, _steps.c.session_id, _steps.c.step, _steps.c.seq)
                        .order_by(_steps.c.session_id, _steps.c.seq, _steps.c.id)).all()
    attempts: dict[tuple[str, str], int] = defaultdict(int)
    seqs: dict[str, int] = defaultdict(int)
    for row_id, session_id, step, seq in rows:
        attempts[(session_id, step)] += 1
        seqs[session_id] += 1
        values: dict[str, int] = {}
        if attempts[(session_id, step)] != 1:
            values["attempt"] = attempts[(session_id, step)]
        if seq != seqs[session_id]:
            values["seq"] = seqs[session_id]
        if values:
            bind.execute(sa.update(_steps).where(_steps.c.id == row_id).values(**values))


def _chunks(ids: list[int], size: int = 500) -> list[list[int]]:
    return [ids[i:i + size] for i in range(0, len(ids), size)]


def downgrade() -> None:
    op.drop_index("uq_session_steps_seq", "session_steps")
    op.drop_index("uq_session_steps_attempt", "session_steps")
    with op.batch_alter_table("session_steps") as batch:
        batch.drop_column("warnings")
        batch.drop_column("attempt")
    bind = op.get_bind()
    for old, new in RENAMED_STEPS.items():
        bind.execute(sa.update(_steps).where(_steps.c.step == new).values(step=old))
    op.drop_index("uq_analyses_photo_subject_version", "analyses")
    with op.batch_alter_table("analyses") as batch:
        batch.drop_column("comedo_version")
