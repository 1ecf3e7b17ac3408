"""The history store: subjects, photos, analyses and extraction sessions.

Every write is one database transaction. A photo file is written first, under
a temporary name renamed into place (content-addressed, so a file left by a
crash before the commit is harmless and reused); the rows referring to it are
committed after. A process killed at any point leaves either the whole record
or nothing. Stored photos are re-encoded from pixels, so no EXIF (location
included) survives.
"""

from __future__ import annotations

import errno
import hashlib
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from comedo.analysis import Analysis
from comedo.errors import ComedoError, InvalidInputError, StoreError
from comedo.files import file_sha256, write_atomic
from comedo.io import encode_jpeg, encode_png
from comedo.store.engine import database_url, default_data_dir, open_engine, sqlite_path, store_error, writer
from comedo.store.migrate import migrate
from comedo.store.models import AnalysisRecord, Photo, Subject
from comedo.store.rows import HistoryRow
from comedo.store.sessions import STEPS, ExtractionSessions, StepRefused, check_subject
from comedo.store.sqlite_files import check_store_file

__all__ = ["Store", "STEPS", "StepRefused", "check_subject"]  # STEPS, StepRefused: comedo.store.sessions

_TRIES = 3  # a save retried after a unique-key conflict with a simultaneous writer of the same rows


class Store(ExtractionSessions):
    """Open with ``Store.open(url)``; the same code runs on SQLite and PostgreSQL.

    ``engine`` reads (a plain transaction: never waits for a writer on SQLite's WAL), ``writer`` writes (its
    transactions take the write lock when they begin). ``migration_backup`` is the copy of the store made when
    this open migrated it, None otherwise."""

    def __init__(self, engine: Engine, photo_dir: Path, *, db_path: Path | None = None,
                 migration_backup: Path | None = None) -> None:
        self.engine = engine
        self.writer = writer(engine)
        self.photo_dir = photo_dir
        self.db_path = db_path
        self.migration_backup = migration_backup

    @classmethod
    def open(cls, url: str | None = None, *, data_dir: Path | None = None, busy_timeout_s: float = 30.0) -> Store:
        """Open (and, when its schema is behind, back up and migrate) the store; a SQLite file that lost its
        data while photos remain is refused with how to recover, never treated as a new store."""
        data_dir = data_dir or default_data_dir()
        resolved = database_url(url, data_dir)
        photo_dir = data_dir / "photos"
        db_path = sqlite_path(resolved)
        if db_path is not None:
            check_store_file(db_path, photo_dir)
        engine = open_engine(resolved, busy_timeout_s=busy_timeout_s)
        try:
            backup = migrate(engine, url=resolved)
            photo_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            engine.dispose()
            raise StoreError(f"cannot create the store's photo folder {photo_dir}: {exc.strerror or exc}") from None
        except BaseException:
            engine.dispose()
            raise
        return cls(engine, photo_dir, db_path=db_path, migration_backup=backup)

    def close(self) -> None:
        self.engine.dispose()

    # --- writes -----------------------------------------------------------------------------------------------

    def save_analysis(self, analysis: Analysis, *, subject_id: str | None = None,
                      document: dict[str, Any] | None = None) -> int:
        """Store the photo (metadata-free copy) and the analysis; returns the analysis id. ``document`` is the
        analysis's JSON when the caller has written it already (it is serialised once per analysis).

        One photo, subject and comedo version is one row (a unique key in the database, a missing subject
        included): saving it again returns the row already there, also when several save it at the same
        moment (the losers of the insert read the winner's row). A stored photo file that was deleted or
        altered is written again from the pixels."""
        from comedo import __version__
        from comedo.schema import to_document

        if subject_id is not None:
            check_subject(subject_id)
        doc = document if document is not None else to_document(analysis).model_dump(mode="json")
        version = str((doc.get("provenance") or {}).get("comedo_version") or __version__)[:32]
        sha = analysis.image.sha256
        try:
            with Session(self.engine) as session:
                known = session.get(Photo, sha)
                known_file = (known.stored_path, known.stored_sha256) if known is not None else None
        except SQLAlchemyError as exc:
            raise store_error(exc, "could not save the analysis") from None
        stored_rel, stored_sha = self._write_photo(analysis, known_file)
        for _ in range(_TRIES):
            now = datetime.now(timezone.utc)
            try:
                with Session(self.writer) as session, session.begin():
                    photo = session.get(Photo, sha)
                    if photo is None:
                        session.add(Photo(sha256=sha, stored_path=stored_rel, stored_sha256=stored_sha,
                                          width=analysis.image.width, height=analysis.image.height,
                                          original_name=Path(analysis.image.source).name[:255], created_at=now))
                    elif photo.stored_sha256 != stored_sha and photo.stored_path == stored_rel:
                        photo.stored_sha256 = stored_sha  # the file was written again (an encoder of another version)
                    existing = session.scalar(_same_analysis(sha, subject_id, version))
                    if existing is not None:
                        return int(existing)
                    if subject_id is not None and session.get(Subject, subject_id) is None:
                        session.add(Subject(id=subject_id, created_at=now))
                    session.flush()
                    record = _record(doc, analysis, subject_id, version, now)
                    session.add(record)
                    session.flush()
                    return int(record.id)
            except IntegrityError:  # another writer saved this subject, photo or analysis at this moment: look again
                continue
            except SQLAlchemyError as exc:
                raise store_error(exc, "could not save the analysis") from None
        raise StoreError("could not save the analysis: the same rows kept being written at the same moment; try "
                         "again")

    def _write_photo(self, analysis: Analysis, known: tuple[str, str] | None) -> tuple[str, str]:
        """The stored file's path (relative) and sha256: the file already there when it is whole, else written
        from the pixels (first save, or a file deleted or altered since)."""
        pixels = analysis.image.pixels
        if known is not None:
            rel = known[0]
        else:
            rel = f"{analysis.image.sha256[:2]}/{analysis.image.sha256}"
            rel += ".png" if pixels.shape[0] * pixels.shape[1] <= 4_000_000 else ".jpg"
        path = self.photo_dir / rel
        try:
            if path.is_file():
                present = file_sha256(path)
                if known is None or present == known[1]:
                    return rel, present  # whole (or left by a crash before its row was committed: reused)
            try:
                data = encode_png(pixels) if rel.endswith(".png") else encode_jpeg(pixels, quality=95)
            except ComedoError as exc:
                raise StoreError(f"could not encode the photo for storage: {exc}") from None
            write_atomic(path, data, fsync=True)
        except OSError as exc:
            if exc.errno == errno.ENOSPC:
                raise StoreError(f"cannot write the photo into {self.photo_dir}: the disk is full; nothing was "
                                 "saved. Free some space and try again") from None
            raise StoreError(f"cannot write the photo into {self.photo_dir}: {exc.strerror or exc}") from None
        return rel, hashlib.sha256(data).hexdigest()

    # --- reads ------------------------------------------------------------------------------------------------

    def history(self, subject_id: str) -> list[HistoryRow]:
        try:
            with Session(self.engine) as session:
                rows = session.scalars(select(AnalysisRecord).where(AnalysisRecord.subject_id == subject_id)
                                       .order_by(AnalysisRecord.created_at, AnalysisRecord.id)).all()
                return [HistoryRow(r.id, r.created_at, r.lesion_count, r.non_inflammatory, r.papules_pustules,
                                   r.nodules_cysts, r.hayashi_grade, r.iga_grade, r.nice_band, r.irritation,
                                   r.delta_a_p90, r.dark_spot_count, r.triage_level, r.photo_sha256,
                                   str((r.document.get("provenance") or {}).get("comedo_version", "?")),
                                   _estimated_count(r.document), _zone_lesions(r.document),
                                   _gags_score(r.document), _largest_mm(r.document)) for r in rows]
        except SQLAlchemyError as exc:
            raise store_error(exc, "could not read the history") from None

    def document(self, analysis_id: int) -> dict[str, Any]:
        try:
            with Session(self.engine) as session:
                record = session.get(AnalysisRecord, analysis_id)
                if record is None:
                    raise InvalidInputError(f"no stored analysis {analysis_id}")
                return dict(record.document)
        except SQLAlchemyError as exc:
            raise store_error(exc, "could not read the analysis") from None

    def analysis(self, analysis_id: int) -> Analysis:
        """A stored analysis read back on its stored photo (``comedo.schema.from_document``), without
        analysing again: for workflows that need lesions and pixels, such as before/after comparisons."""
        from comedo.io import load_image
        from comedo.schema import from_document

        doc = self.document(analysis_id)
        return from_document(doc, load_image(self.photo_path(doc["image"]["sha256"])).pixels)

    def photo_path(self, sha256: str) -> Path:
        try:
            with Session(self.engine) as session:
                photo = session.get(Photo, sha256)
                if photo is None:
                    raise InvalidInputError(f"no stored photo {sha256[:12]}...")
                return self.photo_dir / photo.stored_path
        except SQLAlchemyError as exc:
            raise store_error(exc, "could not read the photo's record") from None

    def check(self) -> list[str]:
        """Problems found (SQLite integrity and foreign keys, missing or altered photo files), one line each;
        empty when all is well."""
        from comedo.store.upkeep import check_store

        return check_store(self)

    def backup(self, out: Path | None = None) -> Path:
        """A consistent copy of a SQLite store (beside it, timestamped, unless ``out``); returns its path."""
        from comedo.store.upkeep import backup_store

        return backup_store(self, out)


def _same_analysis(sha256: str, subject_id: str | None, version: str):  # type: ignore[no-untyped-def]
    """The id of the stored analysis of this photo for this subject (or none) by this version: the unique key."""
    return select(AnalysisRecord.id).where(AnalysisRecord.photo_sha256 == sha256,
                                           func.coalesce(AnalysisRecord.subject_id, "") == (subject_id or ""),
                                           AnalysisRecord.comedo_version == version)


def _record(doc: dict[str, Any], analysis: Analysis, subject_id: str | None, version: str,
            now: datetime) -> AnalysisRecord:
    from comedo.schema.summary import summary_row

    row = summary_row(doc)
    counts = doc["severity"]["counts"]
    return AnalysisRecord(
        subject_id=subject_id, photo_sha256=row["sha256"], created_at=now,
        schema_version=doc["schema_version"], lesion_count=row["lesions"],
        non_inflammatory=counts["non_inflammatory"], papules_pustules=counts["papules_pustules"],
        nodules_cysts=counts["nodules_cysts"], hayashi_grade=row["hayashi_grade"], iga_grade=row["iga_grade"],
        nice_band=row["nice_band"], irritation=row["irritation"], delta_a_p90=row["delta_a_p90"],
        dark_spot_count=row["dark_spots"], triage_level=row["triage_level"], document=doc, comedo_version=version,
    )


def _zone_lesions(document: dict[str, Any]) -> dict[str, int | None] | None:
    """Lesions per face zone of a stored document (None for a zone not visible); None without a face map."""
    face = document.get("face") or {}
    if not face.get("found"):
        return None
    return {str(z["name"]): (int(z["lesions"]) if z.get("visible") else None) for z in face.get("zones") or []}


def _largest_mm(document: dict[str, Any]) -> float | None:
    """The largest lesion's diameter_mm in a stored document; None without a scale (or without lesions)."""
    sizes = [float(les["diameter_mm"]) for les in document.get("lesions") or [] if les.get("diameter_mm") is not None]
    return max(sizes) if sizes else None


def _gags_score(document: dict[str, Any]) -> int | None:
    value = ((document.get("severity") or {}).get("gags") or {}).get("score")
    return int(value) if isinstance(value, int | float) else None


def _estimated_count(document: dict[str, Any]) -> int | None:
    """The stored document's estimated full count; documents from before 0.3.0 have none."""
    value = ((document.get("severity") or {}).get("hayashi") or {}).get("estimated_count")
    return int(value) if isinstance(value, int | float) else None
