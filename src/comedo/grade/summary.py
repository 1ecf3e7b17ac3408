"""The scales in words, the same line on every surface: "no acne lesions seen" where none was found (not a Hayashi
band), each scale with its own definition otherwise, and one sentence where two of them disagree, saying why.
Nothing here changes a grade: each scale keeps its definition (``comedo.grade.scales``, ``comedo.grade.gags``)."""

from __future__ import annotations

from comedo.grade.result import Severity

__all__ = ["NO_LESIONS", "severity_summary", "scales_note"]

NO_LESIONS = "No acne lesions seen."
_GAGS_RANK = {"clear": 0, "mild": 0, "moderate": 1, "severe": 2, "very_severe": 3}


def _words(label: str) -> str:
    return label.replace("_", " ")


def severity_summary(severity: Severity) -> str:
    """One line: why it is not graded, "no acne lesions seen", or each scale's grade."""
    if not severity.graded or severity.hayashi_label is None:
        return severity.not_graded.text if severity.not_graded else "Not graded."
    if severity.lesion_count == 0:
        return NO_LESIONS
    n = severity.lesion_count
    parts = [f"Hayashi {_words(severity.hayashi_label)} ({n} lesion{'s' if n != 1 else ''} listed"
             + (", graded by the detector's grade model" if severity.hayashi_method == "grade_model" else "") + ")",
             f"IGA {severity.iga_grade} ({_words(str(severity.iga_label))})",
             f"NICE {_words(str(severity.nice_band))}"]
    g = severity.gags
    if g is not None:
        parts.append(f"GAGS {g.score} ({_words(g.label)}{', partial' if g.not_visible else ''})")
    if severity.untyped:
        parts.append(f"{severity.untyped} lesion{'s' if severity.untyped != 1 else ''} whose type could not be "
                     "judged counted as papules")
    return "; ".join(parts) + "."


def scales_note(severity: Severity) -> str | None:
    """Where two scales disagree by a band or more, one sentence on why (Hayashi against GAGS first, then IGA)."""
    if not severity.graded or severity.hayashi_grade is None or severity.lesion_count == 0:
        return None
    hayashi = severity.hayashi_grade
    h = f"Hayashi {_words(str(severity.hayashi_label))}"
    g = severity.gags
    if g is not None and abs(_GAGS_RANK[g.label] - hayashi) >= 1:
        hidden = f"; {len(g.not_visible)} zone{'s' if len(g.not_visible) != 1 else ''} hidden, so partial" \
            if g.not_visible else ""
        if _GAGS_RANK[g.label] < hayashi:
            return (f"{h} and GAGS {_words(g.label)} differ because Hayashi counts every lesion while GAGS scores "
                    f"only the worst lesion in each face zone, so many lesions of one kind read as mild{hidden}.")
        return (f"GAGS {_words(g.label)} and {h} differ because GAGS weighs the worst lesion in each zone, so a few "
                f"inflamed or deep lesions spread over the zones score high while the count stays low{hidden}.")
    iga = severity.iga_grade or 0
    if abs(max(0, iga - 2) - hayashi) >= 1:
        return (f"IGA {iga} and {h} differ because IGA weighs the kinds of lesion (inflamed ones and nodules) "
                "while Hayashi counts them all alike"
                + (f"; {severity.untyped} untyped lesions count as inflamed for IGA" if severity.untyped else "")
                + ".")
    return None
