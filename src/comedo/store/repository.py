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
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from comedo.errors import ComedoError, InvalidInputError, StoreError
from comedo.files import file_sha256, write_atomic
from comedo.io import encode_jpeg, encode_png
from comedo.store.engine import database_url, default_data_dir, migrate, open_engine
from comedo.store.models import AnalysisRecord, Photo, Subject
from comedo.store.rows import HistoryRow
from comedo.store.sessions import STEPS, ExtractionSessions, StepRefused, check_subject
from comedo.types import Analysis

__all__ = ["Store", "STEPS", "StepRefused", "check_subject"]  # STEPS, StepRefused: comedo.store.sessions



class Store(ExtractionSessions):
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

    def save_analysis(self, analysis: Analysis, *, subject_id: str | None = None,
                      document: dict[str, Any] | None = None) -> int:
        """Store the photo (metadata-free copy) and the analysis; returns the analysis id. ``document`` is the
        analysis's JSON when the caller has written it already (it is serialised once per analysis).

        Idempotent: the same photo saved again for the same subject by the same comedo version returns the id
        of the row already there, so a retried upload or a re-run command adds no duplicate history row."""
        from comedo import __version__
        from comedo.schema import to_document

        if subject_id is not None:
            check_subject(subject_id)
        existing = self._same_analysis(analysis.image.sha256, subject_id, __version__)
        if existing is not None:
            return existing
        doc = document if document is not None else to_document(analysis).model_dump(mode="json")
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
        try:
            data = encode_png(pixels) if lossless else encode_jpeg(pixels, quality=95)
        except ComedoError as exc:
            raise StoreError(f"could not encode the photo for storage: {exc}") from None
        sha = analysis.image.sha256
        rel = f"{sha[:2]}/{sha}{ext}"
        path = self.photo_dir / rel
        if not path.exists():
            write_atomic(path, data, fsync=True)
        else:
            data = path.read_bytes()
        return rel, hashlib.sha256(data).hexdigest()

    def history(self, subject_id: str) -> list[HistoryRow]:
        with Session(self.engine) as session:
            rows = session.scalars(select(AnalysisRecord).where(AnalysisRecord.subject_id == subject_id)
                                   .order_by(AnalysisRecord.created_at, AnalysisRecord.id)).all()
            return [HistoryRow(r.id, r.created_at, r.lesion_count, r.non_inflammatory, r.papules_pustules,
                               r.nodules_cysts, r.hayashi_grade, r.iga_grade, r.nice_band, r.irritation,
                               r.delta_a_p90, r.dark_spot_count, r.triage_level, r.photo_sha256,
                               str((r.document.get("provenance") or {}).get("comedo_version", "?")),
                               _estimated_count(r.document), _zone_lesions(r.document),
                               _gags_score(r.document)) for r in rows]

    def document(self, analysis_id: int) -> dict[str, Any]:
        with Session(self.engine) as session:
            record = session.get(AnalysisRecord, analysis_id)
            if record is None:
                raise InvalidInputError(f"no stored analysis {analysis_id}")
            return dict(record.document)

    def analysis(self, analysis_id: int) -> Analysis:
        """A stored analysis read back on its stored photo (``comedo.schema.from_document``), without
        analysing again: for workflows that need lesions and pixels, such as before/after comparisons."""
        from comedo.io import load_image
        from comedo.schema import from_document

        doc = self.document(analysis_id)
        return from_document(doc, load_image(self.photo_path(doc["image"]["sha256"])).pixels)

    def photo_path(self, sha256: str) -> Path:
        with Session(self.engine) as session:
            photo = session.get(Photo, sha256)
            if photo is None:
                raise InvalidInputError(f"no stored photo {sha256[:12]}...")
            return self.photo_dir / photo.stored_path

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


def _record(doc: dict[str, Any], analysis: Analysis, subject_id: str | None, now: datetime) -> AnalysisRecord:
    from comedo.schema.summary import summary_row

    row = summary_row(doc)
    counts = doc["severity"]["counts"]
    return AnalysisRecord(
        subject_id=subject_id, photo_sha256=row["sha256"], created_at=now,
        schema_version=doc["schema_version"], lesion_count=row["lesions"],
        non_inflammatory=counts["non_inflammatory"], papules_pustules=counts["papules_pustules"],
        nodules_cysts=counts["nodules_cysts"], hayashi_grade=row["hayashi_grade"], iga_grade=row["iga_grade"],
        nice_band=row["nice_band"], irritation=row["irritation"], delta_a_p90=row["delta_a_p90"],
        dark_spot_count=row["dark_spots"], triage_level=row["triage_level"], document=doc,
    )


def _zone_lesions(document: dict[str, Any]) -> dict[str, int | None] | None:
    """Lesions per face zone of a stored document (None for a zone not visible); None without a face map."""
    face = document.get("face") or {}
    if not face.get("found"):
        return None
    return {str(z["name"]): (int(z["lesions"]) if z.get("visible") else None) for z in face.get("zones") or []}


def _gags_score(document: dict[str, Any]) -> int | None:
    value = ((document.get("severity") or {}).get("gags") or {}).get("score")
    return int(value) if isinstance(value, int | float) else None


def _estimated_count(document: dict[str, Any]) -> int | None:
    """The stored document's estimated full count; documents from before 0.3.0 have none."""
    value = ((document.get("severity") or {}).get("hayashi") or {}).get("estimated_count")
    return int(value) if isinstance(value, int | float) else None
