"""The rules table of docs/triage.md, generated from ``comedo.explain.rules.RULES`` so the two cannot drift: a test
holds the table in the docs equal to ``rules_markdown()``, and ``python -m comedo.explain.rules_doc docs/triage.md``
rewrites it between its markers."""

from __future__ import annotations

import sys
from pathlib import Path

from comedo.explain.levels import TriageLevel
from comedo.explain.rules import RULES

__all__ = ["rules_markdown", "BEGIN", "END", "rewrite"]

BEGIN = "<!-- rules table: generated from comedo.explain.rules (python -m comedo.explain.rules_doc docs/triage.md) -->"
END = "<!-- end of the rules table -->"
_TEST = "tests/explain/test_triage.py::test_rule_fires_with_level"


def rules_markdown() -> str:
    """One row per rule, highest level first as the rules are applied, then the fallback."""
    rows = ["| level | code | fires when | source | test |", "|---|---|---|---|---|"]
    for rule in RULES:
        rows.append(f"| {rule.level.label} | `{rule.code}` | {rule.fires_when} | {rule.source} | `{_TEST}` |")
    rows.append(f"| {TriageLevel.SELF_CARE.label} | `no_red_flags` | nothing above routine fires | seed | "
                f"`{_TEST}` |")
    return "\n".join(rows)


def rewrite(path: Path) -> None:
    """Put the generated table between the markers of ``path``."""
    text = path.read_text(encoding="utf-8")
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    path.write_text(f"{head}{BEGIN}\n{rules_markdown()}\n{END}{tail}", encoding="utf-8")


if __name__ == "__main__":
    rewrite(Path(sys.argv[1]))
