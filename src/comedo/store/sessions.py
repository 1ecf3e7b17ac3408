"""Extraction sessions in the store: the protocol's steps in order, refused when they break it.

A mixin of ``Store`` (it uses the store's engine and ``save_analysis``), kept apart so the protocol's rules
read on their own.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from comedo.errors import InvalidInputError, StoreError
from comedo.store.models import ExtractionSession, SessionStep, Subject

if TYPE_CHECKING:
    from comedo.types import Analysis

__all__ = ["ExtractionSessions", "STEPS", "StepRefused", "check_subject"]

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


def check_subject(subject_id: str) -> None:
    """Refuse a subject id that is not a short pseudonym, before any work is done for it."""
    if not _SUBJECT.match(subject_id):
        raise InvalidInputError(f"subject id must be 1-64 letters, digits, '.', '_' or '-' (a pseudonym, not a "
                                f"name); got {subject_id!r}")


class ExtractionSessions:
    """The session methods of ``Store``, which provides ``engine`` and ``save_analysis``."""

    engine: Engine

    if TYPE_CHECKING:
        def save_analysis(self, analysis: Analysis, *, subject_id: str | None = None,
                          document: dict[str, Any] | None = None) -> int: ...

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
