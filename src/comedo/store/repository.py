"""The history store: subjects, photos, analyses and extraction sessions.

Every write is one database transaction. A photo file is written first, under
a temporary name renamed into place (content-addressed, so a file left by a
crash before the commit is harmless and reused); the rows referring to it are
committed after. A process killed at any point leaves either the whole record
or nothing. Stored photos are re-encoded from pixels, so no EXIF (location
included) survives.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import cv2
from sqlalchemy import Engine, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from comedo.errors import InvalidInputError, StoreError
from comedo.files import file_sha256, write_atomic
from comedo.store.engine import database_url, default_data_dir, migrate, open_engine
from comedo.store.models import (
    AnalysisRecord,
    ExtractionSession,
    Photo,
    SessionStep,
    Subject,
)
from comedo.types import Analysis

__all__ = ["Store", "STEPS", "StepRefused", "check_subject"]

STEPS = ("sterilise", "identify_core", "apply_pressure", "release", "aftercare")
_MISSING_WHY = {
    "sterilise": "sterilise the skin and tools first: pressure on unclean skin pushes bacteria in",
    "identify_core": "find the core first (a dark opening or a white head); never press blindly",
    "apply_pressure": "apply gentle, even pressure first",
    "release": "record whether the plug released first",
}
_SUBJECT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


class StepRefused(InvalidInputError):
    """A session step that breaks the protocol, with the reason."""


@dataclass(frozen=True)
class HistoryRow:
    analysis_id: int
    created_at: datetime
    lesion_count: int
    non_inflammatory: int
    papules_pustules: int
    nodules_cysts: int
    hayashi_grade: int | None  # None for a close-up (not graded)
    iga_grade: int | None
    nice_band: str | None
    irritation: str
    delta_a_p90: float | None
    dark_spot_count: int
    triage_level: str | None
    photo_sha256: str
    comedo_version: str = "?"  # the version that made the analysis: figures can change between versions
    estimated_lesion_count: int | None = None  # the grade model's full-count estimate (0.3.0 on, wider views)


class Store:
    """Open with ``Store.open(url)``; the same code runs on SQLite and PostgreSQL."""

    def __init__(self, engine: Engine, photo_dir: Path) -> None:
        self.engine = engine
        self.photo_dir = photo_dir

    @classmethod
    def open(cls, url: str | None = None, *, data_dir: Path | None = None) -> Store:
        data_dir = data_dir or default_data_dir()
        engine = open_engine(database_url(url, data_dir))
        migrate(engine)
        photo_dir = data_dir / "photos"
        photo_dir.mkdir(parents=True, exist_ok=True)
        return cls(engine, photo_dir)

    def close(self) -> None:
        self.engine.dispose()

    # --- writes -----------------------------------------------------------------------------------------------

    def save_analysis(self, analysis: Analysis, *, subject_id: str | None = None) -> int:
        """Store the photo (metadata-free copy) and the analysis; returns the analysis id.

        Idempotent: the same photo saved again for the same subject by the same comedo version returns the id
        of the row already there, so a retried upload or a re-run command adds no duplicate history row."""
        from comedo import __version__
        from comedo.schema import to_document

        if subject_id is not None:
            check_subject(subject_id)
        existing = self._same_analysis(analysis.image.sha256, subject_id, __version__)
        if existing is not None:
            return existing
        doc = to_document(analysis).model_dump(mode="json")
        stored_rel, stored_sha = self._write_photo(analysis)
        now = datetime.now(timezone.utc)
        try:
            with Session(self.engine) as session, session.begin():
                if subject_id is not None and session.get(Subject, subject_id) is None:
                    session.add(Subject(id=subject_id, created_at=now))
                    session.flush()
                if session.get(Photo, analysis.image.sha256) is None:
                    session.add(Photo(sha256=analysis.image.sha256, stored_path=stored_rel, stored_sha256=stored_sha,
                                      width=analysis.image.width, height=analysis.image.height,
                                      original_name=Path(analysis.image.source).name[:255], created_at=now))
                    session.flush()
                record = _record(doc, analysis, subject_id, now)
                session.add(record)
                session.flush()
                return int(record.id)
        except SQLAlchemyError as exc:
            raise StoreError(f"could not save the analysis: {str(exc).splitlines()[0]}") from None

    def _same_analysis(self, sha256: str, subject_id: str | None, version: str) -> int | None:
        """The id of a stored analysis of this photo for this subject made by this version, if there is one."""
        if subject_id is None:
            return None
        with Session(self.engine) as session:
            rows = session.scalars(select(AnalysisRecord).where(AnalysisRecord.subject_id == subject_id,
                                                                AnalysisRecord.photo_sha256 == sha256)
                                   .order_by(AnalysisRecord.id)).all()
            for row in rows:
                if (row.document.get("provenance") or {}).get("comedo_version") == version:
                    return int(row.id)
        return None

    def _write_photo(self, analysis: Analysis) -> tuple[str, str]:
        pixels = analysis.image.pixels
        lossless = pixels.shape[0] * pixels.shape[1] <= 4_000_000
        ext = ".png" if lossless else ".jpg"
        params = [] if lossless else [cv2.IMWRITE_JPEG_QUALITY, 95]
        ok, encoded = cv2.imencode(ext, pixels[..., ::-1], params)
        if not ok:
            raise StoreError("could not encode the photo for storage")
        data = encoded.tobytes()
        sha = analysis.image.sha256
        rel = f"{sha[:2]}/{sha}{ext}"
        path = self.photo_dir / rel
        if not path.exists():
            write_atomic(path, data, fsync=True)
        else:
            data = path.read_bytes()
        return rel, hashlib.sha256(data).hexdigest()

    def start_session(self, subject_id: str, *, before: Analysis | None = None) -> str:
        """A new extraction session; with a ``before`` analysis its extraction advice governs the steps."""
        check_subject(subject_id)
        analysis_id = self.save_analysis(before, subject_id=subject_id) if before is not None else None
        advice, why = None, None
        if before is not None and before.report is not None:
            advice = before.report.extraction.advice  # type: ignore[attr-defined]
            why = list(before.report.extraction.why)  # type: ignore[attr-defined]
        key = secrets.token_hex(6)
        now = datetime.now(timezone.utc)
        with Session(self.engine) as session, session.begin():
            if session.get(Subject, subject_id) is None:
                session.add(Subject(id=subject_id, created_at=now))
                session.flush()
            session.add(ExtractionSession(id=key, subject_id=subject_id, started_at=now, analysis_id=analysis_id,
                                          extraction_advice=advice, advice_why=why))
        return key

    def add_step(self, session_id: str, step: str, *, photo: Analysis | None = None, note: str | None = None,
                 override: str | None = None, again: bool = False) -> int:
        """Record one protocol step, refusing steps out of order, an extraction the advice forbids, and a step
        already recorded unless ``again`` (a second round of gentle pressure is a choice, not a double click)."""
        if step not in STEPS:
            raise InvalidInputError(f"step must be one of {', '.join(STEPS)}; got {step!r}")
        with Session(self.engine) as session, session.begin():
            record = session.get(ExtractionSession, session_id)
            if record is None:
                raise InvalidInputError(f"no extraction session {session_id!r}")
            done = [s.step for s in record.steps]
            if step in done and not again:
                raise StepRefused(f"{step} is already recorded for session {session_id!r} (steps so far: "
                                  f"{', '.join(done)}); to record it once more, give --again")
            # Aftercare is always allowed once sterilised (stopping early is the safe choice).
            needed = ["sterilise"] if step == "aftercare" else list(STEPS[: STEPS.index(step)])
            missing = [s for s in needed if s not in done]
            if missing:
                raise StepRefused(f"{step} refused: {_MISSING_WHY[missing[0]]} "
                                  f"(steps so far: {', '.join(done) or 'none'})")
            if step == "apply_pressure" and record.extraction_advice == "do_not_extract" and not override:
                why = "; ".join(record.advice_why or []) or "the triage marks this spot do_not_extract"
                raise StepRefused(f"apply_pressure refused: {why} To go ahead anyway, give --override \"reason\"; "
                                  "it will be stored with the step")
            subject_id = record.subject_id
        analysis_id = None
        if photo is not None:
            analysis_id = self.save_analysis(photo, subject_id=subject_id)
        with Session(self.engine) as session, session.begin():
            record = session.get(ExtractionSession, session_id)
            if record is None:
                raise StoreError(f"extraction session {session_id!r} disappeared while saving a step")
            step_row = SessionStep(session_id=session_id, seq=len(record.steps) + 1, step=step,
                                   created_at=datetime.now(timezone.utc),
                                   photo_sha256=photo.image.sha256 if photo is not None else None,
                                   analysis_id=analysis_id, note=note, override_reason=override)
            session.add(step_row)
            session.flush()
            return int(step_row.id)

    # --- reads ------------------------------------------------------------------------------------------------

    def history(self, subject_id: str) -> list[HistoryRow]:
        with Session(self.engine) as session:
            rows = session.scalars(select(AnalysisRecord).where(AnalysisRecord.subject_id == subject_id)
                                   .order_by(AnalysisRecord.created_at, AnalysisRecord.id)).all()
            return [HistoryRow(r.id, r.created_at, r.lesion_count, r.non_inflammatory, r.papules_pustules,
                               r.nodules_cysts, r.hayashi_grade, r.iga_grade, r.nice_band, r.irritation,
                               r.delta_a_p90, r.dark_spot_count, r.triage_level, r.photo_sha256,
                               str((r.document.get("provenance") or {}).get("comedo_version", "?")),
                               _estimated_count(r.document)) for r in rows]

    def document(self, analysis_id: int) -> dict[str, Any]:
        with Session(self.engine) as session:
            record = session.get(AnalysisRecord, analysis_id)
            if record is None:
                raise InvalidInputError(f"no stored analysis {analysis_id}")
            return dict(record.document)

    def photo_path(self, sha256: str) -> Path:
        with Session(self.engine) as session:
            photo = session.get(Photo, sha256)
            if photo is None:
                raise InvalidInputError(f"no stored photo {sha256[:12]}...")
            return self.photo_dir / photo.stored_path

    def sessions(self, subject_id: str | None = None) -> list[dict[str, Any]]:
        """Extraction sessions, newest first (one subject's, or all): id, subject, start, advice, steps done."""
        with Session(self.engine) as session:
            query = select(ExtractionSession).order_by(ExtractionSession.started_at.desc())
            if subject_id is not None:
                query = query.where(ExtractionSession.subject_id == subject_id)
            return [{"id": r.id, "subject_id": r.subject_id, "started_at": r.started_at,
                     "extraction_advice": r.extraction_advice, "steps": [s.step for s in r.steps]}
                    for r in session.scalars(query)]

    def session_info(self, session_id: str) -> dict[str, Any]:
        with Session(self.engine) as session:
            record = session.get(ExtractionSession, session_id)
            if record is None:
                raise InvalidInputError(f"no extraction session {session_id!r}")
            return {
                "id": record.id, "subject_id": record.subject_id, "started_at": record.started_at,
                "analysis_id": record.analysis_id, "extraction_advice": record.extraction_advice,
                "advice_why": record.advice_why or [],
                "steps": [{"seq": s.seq, "step": s.step, "created_at": s.created_at, "photo_sha256": s.photo_sha256,
                           "analysis_id": s.analysis_id, "note": s.note, "override_reason": s.override_reason}
                          for s in record.steps],
            }

    def check(self) -> list[str]:
        """Integrity problems (missing or altered photo files, SQLite integrity); empty when all is well."""
        problems = []
        with Session(self.engine) as session:
            for photo in session.scalars(select(Photo)):
                path = self.photo_dir / photo.stored_path
                if not path.exists():
                    problems.append(f"photo file missing: {photo.stored_path}")
                elif file_sha256(path) != photo.stored_sha256:
                    problems.append(f"photo file altered: {photo.stored_path}")
            if self.engine.dialect.name == "sqlite":
                result = session.connection().exec_driver_sql("PRAGMA integrity_check").scalar()
                if result != "ok":
                    problems.append(f"sqlite integrity_check: {result}")
        return problems


def check_subject(subject_id: str) -> None:
    """Refuse a subject id that is not a short pseudonym, before any work is done for it."""
    if not _SUBJECT.match(subject_id):
        raise InvalidInputError(f"subject id must be 1-64 letters, digits, '.', '_' or '-' (a pseudonym, not a "
                                f"name); got {subject_id!r}")


def _record(doc: dict[str, Any], analysis: Analysis, subject_id: str | None, now: datetime) -> AnalysisRecord:
    sev = analysis.severity
    triage = doc.get("triage") or {}
    return AnalysisRecord(
        subject_id=subject_id, photo_sha256=analysis.image.sha256, created_at=now,
        schema_version=doc["schema_version"], lesion_count=sev.lesion_count,
        non_inflammatory=sev.non_inflammatory, papules_pustules=sev.papules_pustules,
        nodules_cysts=sev.nodules_cysts, hayashi_grade=sev.hayashi_grade, iga_grade=sev.iga_grade,
        nice_band=sev.nice_band, irritation=analysis.redness.grade.value,
        delta_a_p90=doc["redness"]["delta_a_p90"], dark_spot_count=len(analysis.dark_spots),
        triage_level=triage.get("level"), document=doc,
    )


def _estimated_count(document: dict[str, Any]) -> int | None:
    """The stored document's estimated full count; documents from before 0.3.0 have none."""
    value = ((document.get("severity") or {}).get("hayashi") or {}).get("estimated_count")
    return int(value) if isinstance(value, int | float) else None
