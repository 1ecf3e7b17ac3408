"""The printed report: A4 by default, Letter by option, the subject in the header; a bad paper size is one line."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from comedo.cli.main import app
from comedo.cli.report_cmd import find_chromium

runner = CliRunner()


def _page_size(pdf: Path) -> tuple[float, float]:
    box = re.search(rb"/MediaBox\s*\[\s*[\d.]+\s+[\d.]+\s+([\d.]+)\s+([\d.]+)\s*\]", pdf.read_bytes())
    assert box is not None
    return float(box.group(1)), float(box.group(2))


def test_report_pages_are_a4_by_default_and_letter_by_option(sample_path: Path, tmp_path: Path) -> None:
    if find_chromium() is None:
        if os.environ.get("CI"):
            pytest.fail("CI must provide Chromium")
        pytest.skip("no Chromium")
    result = runner.invoke(app, ["report", str(sample_path), "--out", str(tmp_path / "a.html"), "--pdf",
                                 "--subject", "p-17"])
    assert result.exit_code == 0, result.output
    assert "subject <b>p-17</b>" in (tmp_path / "a.html").read_text()
    w, h = _page_size(tmp_path / "a.pdf")
    assert abs(w - 595) < 2 and abs(h - 842) < 2  # A4 in points
    result = runner.invoke(app, ["report", str(sample_path), "--out", str(tmp_path / "l.html"), "--pdf",
                                 "--paper", "letter"])
    assert result.exit_code == 0 and _page_size(tmp_path / "l.pdf") == (612.0, 792.0)


def test_the_printed_report_has_the_photo_date_both_photos_and_page_numbers(sample_path: Path, tmp_path: Path) -> None:
    from PIL import Image
    from pypdf import PdfReader

    if find_chromium() is None:
        if os.environ.get("CI"):
            pytest.fail("CI must provide Chromium")
        pytest.skip("no Chromium")
    photo = tmp_path / "dated.jpg"
    img = Image.open(sample_path)
    exif = Image.Exif()
    exif.get_ifd(0x8769)[0x9003] = "2026:05:02 14:03:11"  # DateTimeOriginal
    img.save(photo, exif=exif, quality=92)
    result = runner.invoke(app, ["report", str(photo), "--out", str(tmp_path / "d.html"), "--pdf",
                                 "--subject", "p-18"])
    assert result.exit_code == 0, result.output
    html = (tmp_path / "d.html").read_text()
    assert html.count('<img class="photo"') == 2  # the photo as taken beside the annotated one
    pages = [page.extract_text() for page in PdfReader(tmp_path / "d.pdf").pages]
    assert "photo taken 2026-05-02 14:03" in pages[0] and "p-18" in pages[0]
    for i, text in enumerate(pages, 1):
        assert f"page {i} of {len(pages)}" in text
    undated = runner.invoke(app, ["report", str(sample_path), "--out", str(tmp_path / "u.html")])
    assert undated.exit_code == 0 and "photo taken <b>unknown" in (tmp_path / "u.html").read_text()


def test_a_bad_paper_size_is_one_line(sample_path: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["report", str(sample_path), "--out", str(tmp_path / "x.html"), "--paper", "a5"])
    assert result.exit_code == 2 and "--paper must be a4 or letter" in result.output


def test_sizes_are_in_words_without_a_scale_and_in_mm_with_one(sample_path: Path) -> None:
    import comedo
    from comedo.render.html_templates import size_in_words
    from comedo.render.report import report_html

    assert [size_in_words(d, 640) for d in (5, 15, 30, 60)] == ["tiny", "small", "medium", "large"]
    html = report_html(comedo.analyze(sample_path))
    assert "sizes are in pixels and in words" in html and re.search(r"\d+ px, (tiny|small|medium|large)", html)
    scaled = report_html(comedo.analyze(sample_path, mm_per_px=0.1))
    assert " mm</td>" in scaled and "sizes are in pixels" not in scaled


def test_what_the_person_reported_is_in_words_with_their_size_beside_the_measured_one(sample_path: Path) -> None:
    import comedo
    from comedo.render.report import report_html

    answers = {"size_mm": 14, "recurring": True, "pain": "mild", "days_present": 12}
    html = report_html(comedo.analyze(sample_path, mm_per_px=0.1, answers=answers))
    assert "What was reported" in html
    for item in ("size: 14 mm", "recurring: yes", "pain: mild", "present for: 12 days"):
        assert f"<li>{item}</li>" in html, item
    assert "The size given for the spot: <b>14 mm</b>; the largest lesion measured in the photo:" in html
    assert "True" not in html.split("What was reported")[1].split("</ul>")[0]
    assert "What was reported" not in report_html(comedo.analyze(sample_path))
