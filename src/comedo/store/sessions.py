"""Extraction sessions in the store: the protocol's steps in order, refused when they break it.

A mixin of ``Store`` (it uses the store's engines and ``save_analysis``), kept apart so the protocol's rules
read on their own. Step names are the protocol's own (``comedo.explain.advice.EXTRACTION_STEPS``), the one
vocabulary of the CLI, the JSON, the docs and the database; the names of 0.9 and earlier are accepted as aliases.

A step is checked twice: once before its photo is analysed and saved (a refused step saves nothing), and again
inside the write transaction that records it. The database holds the rest: (session, step, attempt) and
(session, seq) are unique, so two simultaneous recordings of one step cannot both be attempt 1.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from comedo.errors import InvalidInputError, StoreError
from comedo.explain.advice import EXTRACTION_STEPS
from comedo.store.engine import store_error
from comedo.store.models import AnalysisRecord, ExtractionSession, SessionStep, Subject

if TYPE_CHECKING:
    from comedo.analysis import Analysis

__all__ = ["ExtractionSessions", "STEPS", "STEP_ALIASES", "STEP_WARNINGS", "RecordedStep", "StepRefused",
           "canonical_step", "check_subject", "next_step_text", "step_warnings"]

STEPS: tuple[str, ...] = tuple(name for name, _ in EXTRACTION_STEPS)
STEP_ALIASES = {"identify_core": "find_the_core", "apply_pressure": "gentle_pressure"}  # the names of 0.9
SQUEEZE_STEPS = ("gentle_pressure", "release")
_WORDS = dict(EXTRACTION_STEPS)
_MISSING_WHY = {
    "sterilise": "sterilise the skin and tools first: pressure on unclean skin pushes bacteria in",
    "find_the_core": "find the core first (a dark opening or a white head); never press blindly",
    "gentle_pressure": "apply gentle, even pressure first",
    "release": "record whether the plug released first",
}
STEP_WARNINGS = {
    "deep_lesion": "the photo at this step shows a deep lesion (a nodule or cyst): stop. Squeezing pushes its "
                   "contents deeper and scars; only a professional should drain it.",
    "pus": "the photo at this step shows a pustule and pus was reported: stop. Leave it to drain by itself; see a "
           "doctor if it is a painful lump, smells, or comes with warmth, spreading redness or fever.",
    "spreading_redness": "the photo at this step shows marked redness around the spot (or spreading redness was "
                         "reported): stop. See a doctor today if it spreads, is warm, or you have a fever.",
}
_DEEP = {"nodule", "cyst"}
_SUBJECT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_TRIES = 3  # write transactions retried after a unique-key conflict with a simultaneous writer


class StepRefused(InvalidInputError):
    """A session step that breaks the protocol, with the reason."""


@dataclass(frozen=True)
class RecordedStep:
    """A step as recorded: its row id, the protocol's name, which attempt it is, and the warning codes its photo
    raised (``STEP_WARNINGS`` words them)."""

    id: int
    step: str
    attempt: int
    warnings: tuple[str, ...] = ()


def check_subject(subject_id: str) -> None:
    """Refuse a subject id that is not a short pseudonym, before any work is done for it."""
    if not _SUBJECT.fullmatch(subject_id):  # fullmatch: "$" would let a trailing newline through
        raise InvalidInputError(f"subject id must be 1-64 letters, digits, '.', '_' or '-' (a pseudonym, not a "
                                f"name); got {subject_id!r}")


def canonical_step(name: str) -> tuple[str, str | None]:
    """The protocol's name for ``name`` and, for an old alias, a one-line note saying so."""
    if name in STEPS:
        return name, None
    if name in STEP_ALIASES:
        return STEP_ALIASES[name], f"{name} is now called {STEP_ALIASES[name]}"
    raise InvalidInputError(f"step must be one of {', '.join(STEPS)}; got {name!r}")


def step_warnings(document: dict[str, Any], earlier_answers: dict[str, Any] | None = None) -> tuple[str, ...]:
    """Codes of what a step photo's analysis shows that should stop an extraction: a deep lesion (a lesion or
    the photo typed nodule or cyst), pus (a pustule, with pus reported), marked or spreading redness. The
    answers given for the spot when the session started count with the photo's own."""
    answers = {**(earlier_answers or {}), **(document.get("answers") or {})}
    types = {lesion.get("type") for lesion in document.get("lesions") or []}
    photo_type = (document.get("lesion_type") or {}).get("label")
    codes = []
    if types & _DEEP or photo_type in _DEEP:
        codes.append("deep_lesion")
    if answers.get("pus") and ("pustule" in types or photo_type == "pustule"):
        codes.append("pus")
    if (answers.get("spreading_redness") or answers.get("red_streaks")
            or (document.get("redness") or {}).get("irritation") == "marked"):
        codes.append("spreading_redness")
    return tuple(codes)


def next_step_text(info: dict[str, Any]) -> str:
    """What comes next in a session (``session_info``'s dict): the next step in its own words; after a "do not
    extract" advice, aftercare or stopping; "complete" only when every step was done."""
    done = [s["step"] for s in info["steps"]]
    report = "comedo session report SESSION --out FILE writes it up."
    if "aftercare" in done:
        missing = [s for s in STEPS if s not in done]
        if not missing:
            return f"the protocol is complete; leave the spot alone now. {report}"
        return (f"the session ended without {', '.join(missing)} (the spot was not extracted); leave it alone now. "
                f"{report}")
    if not done:
        return f"next: sterilise - {_WORDS['sterilise']}"
    overridden = any(s["override_reason"] for s in info["steps"] if s["step"] == "gentle_pressure")
    following = next(s for s in STEPS if s not in done)
    if info["extraction_advice"] == "do_not_extract" and not overridden and following != "aftercare":
        return (f"next: aftercare - {_WORDS['aftercare']} Or stop here. The advice is do not extract, so "
                "gentle_pressure and release are refused (unless given --override \"reason\").")
    return f"next: {following} - {_WORDS[following]}"


class ExtractionSessions:
    """The session methods of ``Store``, which provides ``engine``, ``writer`` and ``save_analysis``."""

    engine: Engine
    writer: Engine

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
        for _ in range(_TRIES):
            now = datetime.now(timezone.utc)
            try:
                with Session(self.writer) as session, session.begin():
                    if session.get(Subject, subject_id) is None:
                        session.add(Subject(id=subject_id, created_at=now))
                        session.flush()
                    session.add(ExtractionSession(id=key, subject_id=subject_id, started_at=now,
                                                  analysis_id=analysis_id, extraction_advice=advice,
                                                  advice_why=why))
                return key
            except IntegrityError:  # the subject was created by another writer at this moment
                continue
            except SQLAlchemyError as exc:
                raise store_error(exc, "could not start the session") from None
        raise StoreError("could not start the session: the store kept changing under it; try again")

    def add_step(self, session_id: str, step: str, *, photo: Analysis | None = None, note: str | None = None,
                 override: str | None = None, again: bool = False) -> RecordedStep:
        """Record one protocol step, refusing steps out of order, squeezing a spot the advice says not to extract
        (unless ``override`` gives the reason, stored with the step), and a step already recorded unless
        ``again`` (attempt n+1: a second round of gentle pressure is a choice, not a double click)."""
        from comedo.schema import to_document

        step, _ = canonical_step(step)
        try:
            with Session(self.engine) as session:
                record = _session_record(session, session_id)
                _check_step(record, step, override=override, again=again)
                subject_id = record.subject_id
                earlier = _earlier_answers(session, record)
        except SQLAlchemyError as exc:
            raise store_error(exc, "could not read the session") from None
        analysis_id, warnings = None, ()
        if photo is not None:
            document = to_document(photo).model_dump(mode="json")
            analysis_id = self.save_analysis(photo, subject_id=subject_id, document=document)
            warnings = step_warnings(document, earlier)
        for _ in range(_TRIES):
            try:
                with Session(self.writer) as session, session.begin():
                    record = _session_record(session, session_id)
                    _check_step(record, step, override=override, again=again)  # again, under the write lock
                    attempt = 1 + sum(s.step == step for s in record.steps)
                    row = SessionStep(session_id=session_id, seq=1 + max((s.seq for s in record.steps), default=0),
                                      step=step, attempt=attempt, created_at=datetime.now(timezone.utc),
                                      photo_sha256=photo.image.sha256 if photo is not None else None,
                                      analysis_id=analysis_id, note=note, override_reason=override,
                                      warnings=list(warnings) or None)
                    session.add(row)
                    session.flush()
                    return RecordedStep(int(row.id), step, attempt, warnings)
            except IntegrityError:  # another process recorded a step of this session at this moment: check again
                continue
            except SQLAlchemyError as exc:
                raise store_error(exc, "could not record the step") from None
        raise StoreError("could not record the step: other steps kept being recorded at the same moment; try again")

    # --- reads ------------------------------------------------------------------------------------------------

    def sessions(self, subject_id: str | None = None) -> list[dict[str, Any]]:
        """Extraction sessions, newest first (one subject's, or all): id, subject, start, advice, steps done."""
        try:
            with Session(self.engine) as session:
                query = select(ExtractionSession).order_by(ExtractionSession.started_at.desc())
                if subject_id is not None:
                    query = query.where(ExtractionSession.subject_id == subject_id)
                return [{"id": r.id, "subject_id": r.subject_id, "started_at": r.started_at,
                         "extraction_advice": r.extraction_advice, "steps": [s.step for s in r.steps]}
                        for r in session.scalars(query)]
        except SQLAlchemyError as exc:
            raise store_error(exc, "could not read the sessions") from None

    def session_info(self, session_id: str) -> dict[str, Any]:
        try:
            with Session(self.engine) as session:
                record = _session_record(session, session_id)
                return {
                    "id": record.id, "subject_id": record.subject_id, "started_at": record.started_at,
                    "analysis_id": record.analysis_id, "extraction_advice": record.extraction_advice,
                    "advice_why": record.advice_why or [],
                    "steps": [{"seq": s.seq, "step": s.step, "attempt": s.attempt, "created_at": s.created_at,
                               "photo_sha256": s.photo_sha256, "analysis_id": s.analysis_id, "note": s.note,
                               "override_reason": s.override_reason,
                               "warnings": [{"code": c, "text": STEP_WARNINGS.get(c, c)} for c in s.warnings or []]}
                              for s in record.steps],
                }
        except SQLAlchemyError as exc:
            raise store_error(exc, "could not read the session") from None


def _session_record(session: Session, session_id: str) -> ExtractionSession:
    record = session.get(ExtractionSession, session_id)
    if record is None:
        raise InvalidInputError(f"no extraction session {session_id!r}")
    return record


def _check_step(record: ExtractionSession, step: str, *, override: str | None, again: bool) -> None:
    done = [s.step for s in record.steps]
    if step in done and not again:
        raise StepRefused(f"{step} is already recorded for session {record.id!r} (steps so far: {', '.join(done)}); "
                          "to record it once more, give --again")
    # Aftercare is always allowed once sterilised (stopping early is the safe choice).
    needed = ["sterilise"] if step == "aftercare" else list(STEPS[: STEPS.index(step)])
    missing = [s for s in needed if s not in done]
    if missing:
        raise StepRefused(f"{step} refused: {_MISSING_WHY[missing[0]]} (steps so far: {', '.join(done) or 'none'})")
    if step == "gentle_pressure" and record.extraction_advice == "do_not_extract" and not override:
        why = " ".join(record.advice_why or []) or "the triage marks this spot do_not_extract."
        raise StepRefused(f"gentle_pressure refused: {why} Aftercare, or stopping here, is the safe next step; to go "
                          "ahead anyway, give --override \"reason\" (it is stored with the step)")


def _earlier_answers(session: Session, record: ExtractionSession) -> dict[str, Any]:
    """The answers given for the spot with the session's "before" photo (empty without one)."""
    if record.analysis_id is None:
        return {}
    before = session.get(AnalysisRecord, record.analysis_id)
    return dict((before.document.get("answers") or {}) if before is not None else {})
