"""The report printed to PDF by Chromium (as `comedo report --pdf` prints it) and read back with pypdf (issue 33):
page 1 holds the verdict, the extraction answer, the photo with its rings and the key figures; no heading ends a
page nor is parted from its table; no page but the last is left half blank; printed text is at least 9 pt."""

from __future__ import annotations

import html
import re
import unicodedata
from pathlib import Path

import pytest

from comedo.cli.report_cmd import find_chromium, html_to_pdf

pytestmark = pytest.mark.skipif(find_chromium() is None, reason="Chromium is not installed")
FOOTER_PT = 16 / 25.4 * 72  # the page's bottom margin (16 mm) holds only the footer


def _pages(pdf: Path) -> list[dict]:
    """Each page's text lines (top to bottom, the footer left out), its height, and its smallest font size."""
    from pypdf import PdfReader

    pages = []
    for page in PdfReader(pdf).pages:
        runs: list[tuple[float, str, float]] = []

        def visit(text, cm, tm, font, size, runs=runs):  # type: ignore[no-untyped-def]
            y = tm[5] * cm[3] + cm[5]
            text = unicodedata.normalize("NFKC", text).strip()  # ligatures ("fi") as letters
            if text and y > FOOTER_PT:
                runs.append((y, text, size * abs(tm[3] * cm[3]) if tm[3] * cm[3] else size))
        page.extract_text(visitor_text=visit)
        runs.sort(key=lambda r: -r[0])
        pages.append({"lines": [t for _, t, _ in runs], "lowest": min((y for y, _, _ in runs), default=0.0),
                      "height": float(page.mediabox.height), "smallest_pt": min((s for _, _, s in runs), default=99),
                      "images": len(page.images)})
    return pages


@pytest.mark.parametrize("answers", [{"pain": "mild"}, {"fever": True, "warm": True, "pain": "severe"}],
                         ids=["self-care", "urgent"])
def test_the_printed_report_keeps_the_answer_on_page_one_and_headings_with_their_tables(
        sample_path: Path, tmp_path: Path, answers: dict) -> None:
    import comedo
    from comedo.explain.answers import parse_answers
    from comedo.render.report import report_html
    from comedo.schema import to_document

    analysis = comedo.analyze(sample_path, answers=parse_answers(answers))
    doc = to_document(analysis).model_dump(mode="json")
    page_html = report_html(analysis, doc, subject="p-3")
    (tmp_path / "r.html").write_text(page_html)
    html_to_pdf(tmp_path / "r.html", tmp_path / "r.pdf")
    pages = _pages(tmp_path / "r.pdf")
    first = " ".join(pages[0]["lines"])
    assert doc["triage"]["level_text"].split(":")[0] in first
    assert doc["triage"]["reasons"][0]["text"][:40] in " ".join(first.split())
    assert "Extraction:" in first
    assert pages[0]["images"] >= 1  # the photo with its rings
    assert "Key figures:" in first and "lesions" in first and "IGA" in first  # the key figures
    headings = [html.unescape(re.sub("<[^>]+>", "", h)).strip() for h in re.findall(r"<h2>(.*?)</h2>", page_html)]
    for number, page in enumerate(pages, 1):
        assert page["lines"], f"page {number} is empty"
        assert page["lines"][-1] not in headings, f"page {number} ends with the heading {page['lines'][-1]!r}"
        if number < len(pages):  # text runs to the lower quarter of every page but the last
            assert page["lowest"] < page["height"] * 0.25 + FOOTER_PT, (number, page["lowest"], page["lines"][-3:])
        assert page["smallest_pt"] >= 8.9, (number, page["smallest_pt"])
    for heading, table_head in (("Lesions", "centre (x,"), ("Face zones", "visible")):
        holding = [n for n, page in enumerate(pages) if heading in page["lines"]]
        assert holding and any(table_head in line for line in pages[holding[-1]]["lines"]), heading
