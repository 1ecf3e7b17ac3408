"""The self-contained HTML report: one file, images inline, readable on screen and on paper. Built from the same
JSON document every other output uses, so the report never says anything the JSON does not; the page is the
Jinja2 template ``templates/report.html.j2`` (autoescaped)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from comedo.analysis import Analysis
from comedo.render.html_templates import photo_date, render, stylesheet

__all__ = ["report_html", "LEVEL_COLOURS"]

LEVEL_COLOURS = {"self_care": "#1b7f3b", "routine": "#9a6b00", "soon": "#c2410c", "urgent": "#b91c1c"}


PAPER = {"a4": "A4", "letter": "letter"}


def report_html(analysis: Analysis, document: dict[str, Any] | None = None, *, paper: str = "a4",
                subject: str | None = None) -> str:
    """The report page; ``document`` is the analysis's JSON when the caller has it (serialised once). ``paper``
    (a4 or letter) is the printed page size; ``subject`` (a pseudonym) goes in the header."""
    if paper not in PAPER:
        raise ValueError(f"paper must be one of {', '.join(PAPER)}; got {paper!r}")
    from comedo.render.annotate import TYPE_STYLE, annotate, display_copy
    from comedo.render.images import data_uri, png_bytes
    from comedo.schema import to_document

    doc = document if document is not None else to_document(analysis).model_dump(mode="json")
    sev = doc["severity"]
    hayashi = sev.get("hayashi")
    sure = in_all = ""
    if hayashi is not None:
        estimate = hayashi.get("estimated_count")
        # Only the grade model, which grades wider views only, estimates a full count.
        in_all = f" (about {estimate} in all)" if estimate is not None and estimate != hayashi["lesion_count"] else ""
        sure = f", {max(hayashi['probabilities']):.0%} sure" if hayashi.get("probabilities") else ""
    triage = doc.get("triage")
    # The rings' legend as text on the page (legible when printed, >= 9 pt), not drawn into the image.
    styles = [TYPE_STYLE.get(kind, TYPE_STYLE[None]) for kind in dict.fromkeys(les["type"] for les in doc["lesions"])]
    legend = [("#%02x%02x%02x" % colour, f"{letter} {name}") for colour, letter, name in styles]
    leave_alone = any(les.get("advice") == "do_not_extract" for les in doc["lesions"])
    return render("report.html.j2", doc=doc, page_size=PAPER[paper], subject=subject, sev=sev, hayashi=hayashi,
                  sure=sure, in_all=in_all, css=stylesheet(), legend=legend, leave_alone=leave_alone,
                  short_side=min(doc["image"]["width"], doc["image"]["height"]),
                  created=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                  taken=photo_date(doc["image"].get("taken_at")),
                  clean_uri=data_uri(png_bytes(display_copy(analysis.image.pixels, 1200)), "image/png"),
                  level_colour=LEVEL_COLOURS[triage["level"]] if triage else "",
                  image_uri=data_uri(png_bytes(annotate(analysis, max_long_side=1200, legend=False)), "image/png"))

