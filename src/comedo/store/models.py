"""Tables of the history store (SQLAlchemy 2 declarative). The schema itself is
created and changed only by the Alembic migrations in ``migrations/``."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Index, Integer, String, Text, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

__all__ = ["Base", "Subject", "Photo", "AnalysisRecord", "ExtractionSession", "SessionStep"]


class Base(DeclarativeBase):
    pass


class Subject(Base):
    """A person, by a pseudonymous id chosen by the user; no names are needed."""

    __tablename__ = "subjects"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Photo(Base):
    """A stored photo, addressed by the sha256 of the original file."""

    __tablename__ = "photos"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    stored_path: Mapped[str] = mapped_column(String(255))  # relative to the store's photo folder
    stored_sha256: Mapped[str] = mapped_column(String(64))  # of the stored copy, to check integrity
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    original_name: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AnalysisRecord(Base):
    """One analysis: the full JSON document plus the columns people filter and chart by."""

    __tablename__ = "analyses"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    subject_id: Mapped[str | None] = mapped_column(ForeignKey("subjects.id"), index=True)
    photo_sha256: Mapped[str] = mapped_column(ForeignKey("photos.sha256"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    schema_version: Mapped[str] = mapped_column(String(16))
    lesion_count: Mapped[int] = mapped_column(Integer)
    non_inflammatory: Mapped[int] = mapped_column(Integer)
    papules_pustules: Mapped[int] = mapped_column(Integer)
    nodules_cysts: Mapped[int] = mapped_column(Integer)
    hayashi_grade: Mapped[int | None] = mapped_column(Integer)  # null for a close-up (not graded)
    iga_grade: Mapped[int | None] = mapped_column(Integer)
    nice_band: Mapped[str | None] = mapped_column(String(32))
    irritation: Mapped[str] = mapped_column(String(16))
    delta_a_p90: Mapped[float | None] = mapped_column(Float)
    dark_spot_count: Mapped[int] = mapped_column(Integer)
    triage_level: Mapped[str | None] = mapped_column(String(16))
    document: Mapped[dict] = mapped_column(JSON)
    comedo_version: Mapped[str] = mapped_column(String(32), server_default="?")  # the document's provenance

    photo: Mapped[Photo] = relationship()


Index("ix_analyses_subject_time", AnalysisRecord.subject_id, AnalysisRecord.created_at)
# One photo, subject and version is one row, a missing subject included (a NULL never equals another NULL).
Index("uq_analyses_photo_subject_version", AnalysisRecord.photo_sha256, func.coalesce(AnalysisRecord.subject_id, ""),
      AnalysisRecord.comedo_version, unique=True)


class ExtractionSession(Base):
    """A documented extraction: the safe-extraction protocol, step by step."""

    __tablename__ = "extraction_sessions"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    subject_id: Mapped[str] = mapped_column(ForeignKey("subjects.id"), index=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    analysis_id: Mapped[int | None] = mapped_column(ForeignKey("analyses.id"))  # the "before" analysis, if any
    extraction_advice: Mapped[str | None] = mapped_column(String(32))
    advice_why: Mapped[list | None] = mapped_column(JSON)

    steps: Mapped[list[SessionStep]] = relationship(order_by="SessionStep.seq")


class SessionStep(Base):
    """One recorded step; ``attempt`` counts the repeats of a step (``--again``), unique per session and step."""

    __tablename__ = "session_steps"
    __table_args__ = (Index("uq_session_steps_attempt", "session_id", "step", "attempt", unique=True),
                      Index("uq_session_steps_seq", "session_id", "seq", unique=True))
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("extraction_sessions.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    step: Mapped[str] = mapped_column(String(32))
    attempt: Mapped[int] = mapped_column(Integer, server_default="1")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    photo_sha256: Mapped[str | None] = mapped_column(ForeignKey("photos.sha256"))
    analysis_id: Mapped[int | None] = mapped_column(ForeignKey("analyses.id"))
    note: Mapped[str | None] = mapped_column(Text)
    override_reason: Mapped[str | None] = mapped_column(Text)
    warnings: Mapped[list | None] = mapped_column(JSON)  # what the step's photo showed that should stop it
