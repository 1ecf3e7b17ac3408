"""Triage: self-care, routine, soon or urgent, with every reason stated.

The rules table is ``comedo.explain.rules.RULES`` (each row a code, a level, a check over the findings that
returns the evidence, what it fires on, and its source); this module applies it. The highest level among the
rules that fire wins. When the evidence is incomplete the rules err toward the higher level (an inflamed-or-unknown
spot near the eye is treated as inflamed). The words for each code live in ``comedo.explain.reasons``.
"""

from __future__ import annotations

from comedo.explain.findings import Findings
from comedo.explain.levels import Reason, Rule, Triage, TriageLevel
from comedo.explain.reasons import reason_text
from comedo.explain.rules import RULES

__all__ = ["TriageLevel", "Reason", "Triage", "Rule", "triage", "RULES"]


def triage(findings: Findings) -> Triage:
    """Apply every rule; the highest level that fires wins (self-care when none do)."""
    reasons = []
    for rule in RULES:
        evidence = rule.check(findings)
        if evidence:
            reasons.append(Reason(rule.code, rule.level, reason_text(rule.code, evidence), evidence))
    reasons.sort(key=lambda r: -r.level)
    if not any(r.level > TriageLevel.SELF_CARE or r.code == "inflamed_danger_triangle" for r in reasons):
        reasons.append(Reason("no_red_flags", TriageLevel.SELF_CARE, reason_text("no_red_flags"), {}))
    return Triage(max((r.level for r in reasons), default=TriageLevel.SELF_CARE), tuple(reasons))
