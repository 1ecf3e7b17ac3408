"""The verdict: one decision derived once from the findings. The triage level and its reasons, the extraction
advice for the photo and for each lesion (which ringed lesions may be extracted, by number), the home-care plan and
what it relied on. Every surface (banner, description, rings, table, report, web page, session, JSON) renders it;
none derives its own."""

from __future__ import annotations

from dataclasses import dataclass

from comedo.explain.care import CareTip, care_plan
from comedo.explain.extraction import Extraction, extraction_advice
from comedo.explain.findings import Findings
from comedo.explain.lesion_advice import LesionAdvice
from comedo.explain.levels import Reason, Triage, TriageLevel
from comedo.explain.triage import triage

__all__ = ["Verdict", "derive_verdict"]


@dataclass(frozen=True)
class Verdict:
    """Triage, care plan and extraction advice for one spot or photo, and the answers it was given."""

    triage: Triage
    care_plan: tuple[CareTip, ...]
    extraction: Extraction
    answers: dict[str, object]

    @property
    def level(self) -> TriageLevel:
        return self.triage.level

    @property
    def reasons(self) -> tuple[Reason, ...]:
        return self.triage.reasons

    @property
    def lesions(self) -> tuple[LesionAdvice, ...]:
        """Each listed lesion's advice, in the lesions' order (numbers from 1)."""
        return self.extraction.lesions

    @property
    def relied_on(self) -> tuple[str, ...]:
        return self.extraction.relied_on


def derive_verdict(findings: Findings) -> Verdict:
    """The one function that decides: triage first (extraction reads its level), then the advice."""
    result = triage(findings)
    return Verdict(result, care_plan(findings, result.level), extraction_advice(findings, result.level),
                   findings.answers.reported())
