"""``comedo report``: the self-contained HTML report, and optionally a PDF."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import typer

from comedo.cli.errors import error_code, print_error
from comedo.cli.outputs import os_error_line, output_file
from comedo.errors import ComedoError

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "chrome")


def find_chromium() -> str | None:
    for name in CHROMIUM_NAMES:
        path = shutil.which(name)
        if path:
            return path
    return None


def html_to_pdf(html_path: Path, pdf_path: Path, *, timeout_s: float = 60) -> None:
    chromium = find_chromium()
    if chromium is None:
        raise ComedoError("--pdf needs Chromium (Debian: apt install chromium); the HTML report was written")
    with tempfile.TemporaryDirectory() as profile:
        cmd = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               f"--user-data-dir={profile}", "--no-pdf-header-footer", f"--print-to-pdf={pdf_path}",
               html_path.resolve().as_uri()]
        try:
            subprocess.run(cmd, check=True, capture_output=True, timeout=timeout_s)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            raise ComedoError(f"Chromium could not print the PDF ({exc.__class__.__name__})") from None
    if not pdf_path.exists() or pdf_path.stat().st_size == 0:
        raise ComedoError("Chromium produced no PDF")


def run_report(image: Path, *, out: Path | str, answers_path: Path | None, mm_per_px: float | None, pdf: bool,
               paper: str = "a4", subject: str | None = None) -> int:
    """Write the report; ``out`` as typed (text): a trailing ``/``, which a ``Path`` drops, says "a folder"."""
    from comedo.explain.answers import Answers, load_answers
    from comedo.files import write_atomic
    from comedo.pipeline import analyze
    from comedo.render.report import report_html

    try:
        # A folder (existing, or "dir/") gets IMAGE's stem .html inside it; any other name gets .html added.
        target = output_file(out, default_name=f"{image.stem or 'report'}.html")
        html_path = target if target.suffix.lower() in (".html", ".htm") else target.with_suffix(".html")
        answers = load_answers(answers_path) if answers_path else Answers()
        analysis = analyze(image, answers=answers, mm_per_px=mm_per_px)
        write_atomic(html_path, report_html(analysis, paper=paper, subject=subject).encode("utf-8"))
        typer.echo(f"wrote {html_path}")
        if pdf:
            pdf_path = html_path.with_suffix(".pdf")
            html_to_pdf(html_path, pdf_path)
            typer.echo(f"wrote {pdf_path}")
    except ComedoError as exc:
        return error_code(exc)
    except OSError as exc:
        print_error(os_error_line(exc, out))
        return 1
    return 0
