"""The triage's value types: levels, a rule, a reason. Their own module so the rules table
(``comedo.explain.rules``) and the function that applies it (``comedo.explain.triage``) share them without a cycle."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import IntEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from comedo.explain.findings import Findings

__all__ = ["TriageLevel", "Reason", "Triage", "Rule", "Check", "SOURCES"]

# Where each rule comes from; docs/triage.md's table names one per row.
SOURCES = {
    "seed": "the project's brief (red flags for a spot that may be infected)",
    "NICE NG198": "NICE NG198 Acne vulgaris: management (2021): severity 1.1, referral 1.5",
    "NHS": "NHS pages on skin abscess, cellulitis, folliculitis and acne",
    "AAD": "American Academy of Dermatology: acne self-care; look-alikes of acne",
}


class TriageLevel(IntEnum):
    SELF_CARE = 0
    ROUTINE = 1
    SOON = 2
    URGENT = 3

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class Reason:
    """Why a rule fired: a stable code, its level, its words, and evidence that points at what the document
    lists (an answer key, lesion numbers under ``lesions``, a measurement)."""

    code: str
    level: TriageLevel
    text: str
    evidence: dict[str, object]


@dataclass(frozen=True)
class Triage:
    level: TriageLevel
    reasons: tuple[Reason, ...]


Check = Callable[["Findings"], "dict[str, object] | None"]


@dataclass(frozen=True)
class Rule:
    """One row of the rules table: its code and level, the check that returns evidence when it fires, what it
    fires on in words, and its source (a key of ``SOURCES``)."""

    code: str
    level: TriageLevel
    check: Check = field(repr=False)
    fires_when: str = ""
    source: str = "seed"
