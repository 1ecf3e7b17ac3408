"""The ``comedo`` command: thin typer adapters over the library.

Only typer is imported at module level so ``comedo --help`` stays fast; each
command imports what it needs. Errors become one line on stderr and an exit
code (2 for bad input, 1 otherwise), never a traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from comedo.cli.errors import print_error
from comedo.cli.typer_app import ComedoTyper

app = ComedoTyper(
    name="comedo",
    help="Measure what a skin photo shows: acne lesions, dark spots and redness, offline. Not a medical device.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def fail(message: str, code: int = 2) -> None:
    """Print ``comedo: error: message`` on stderr and exit with ``code``."""
    print_error(message)
    raise typer.Exit(code)


def _print_version(value: bool) -> None:
    """An eager option's callback: it runs while the options are parsed, before typer asks for a command."""
    if value:
        from comedo import __version__

        typer.echo(f"comedo {__version__}")
        raise typer.Exit(0)


@app.callback()
def _main(
    version: Annotated[bool, typer.Option("--version", "-V", metavar="",
                                          help="Print the version and exit.", is_eager=True,
                                          callback=_print_version)] = False,
) -> None:
    """Measure what a skin photo shows: acne lesions, dark spots and redness, offline. Not a medical device."""


@app.command()
def analyze(
    images: Annotated[list[Path], typer.Argument(metavar="IMAGE",
                                                 help="Photos to analyse (JPEG, PNG, WebP, TIFF, BMP, HEIC).")],
    out: Annotated[Optional[Path], typer.Option(help="Write DIR/<stem>.json and DIR/<stem>.png here.")] = None,
    min_score: Annotated[Optional[float], typer.Option(help="Lesion score threshold (default: calibrated).")] = None,
    mm_per_px: Annotated[Optional[float], typer.Option(help="Scale of the photo, for sizes in mm.")] = None,
    detector: Annotated[str, typer.Option(help="auto, model or classical (the baseline).")] = "auto",
    json_out: Annotated[bool, typer.Option("--json", metavar="", help="Print the analysis JSON on stdout.")] = False,
    answers: Annotated[Optional[Path], typer.Option(help="Triage answers (JSON file) to include.")] = None,
    subject: Annotated[Optional[str], typer.Option(help="Pseudonymous subject id to file the analyses under.")]
    = None,
    save: Annotated[bool, typer.Option("--save", metavar="",
                                       help="Store photos and analyses in the history store.")] = False,
    db: Annotated[Optional[str], typer.Option(envvar="COMEDO_DB", help="Database URL (default: SQLite).")] = None,
    layers: Annotated[Optional[str], typer.Option(
        metavar="LAYER,...", help="What the annotated PNG shows: lesions (the default), dark_spots, redness, skin.")]
    = None,
) -> None:
    """Analyse photos; print a summary per photo. A bad photo is reported and skipped."""
    from comedo.cli.analyze_cmd import run_analyze

    if subject and not save:
        fail("--subject only makes sense with --save")
    code = run_analyze(images, out=out, min_score=min_score, mm_per_px=mm_per_px, detector=detector,
                       json_out=json_out, answers_path=answers, save=save, subject=subject, db=db, layers=layers)
    raise typer.Exit(code)


@app.command()
def triage(
    answers: Annotated[Path, typer.Option(help="Answers JSON file (every key optional).")],
    image: Annotated[Optional[Path], typer.Argument(metavar="IMAGE", help="Optional photo of the spot.")] = None,
    mm_per_px: Annotated[Optional[float], typer.Option(help="Scale of the photo, for sizes in mm.")] = None,
    json_out: Annotated[bool, typer.Option("--json", metavar="", help="Print one JSON object on stdout.")] = False,
) -> None:
    """Should a professional see this spot? Triage level with reasons, care plan and extraction advice."""
    from comedo.cli.triage_cmd import run_triage

    raise typer.Exit(run_triage(answers, image, mm_per_px=mm_per_px, json_out=json_out))


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to bind; anything but loopback requires a token.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535)] = 8000,
    token: Annotated[Optional[str], typer.Option(help="Access token (or set COMEDO_TOKEN).", envvar="COMEDO_TOKEN")]
    = None,
    workers: Annotated[int, typer.Option(min=1, max=32, help="Analyses running at once.")] = 2,
    threads: Annotated[Optional[int], typer.Option(min=1, max=64, help="Network threads per analysis "
                                                   "(default: cores / workers).")] = None,
    allowed_host: Annotated[Optional[list[str]], typer.Option(
        "--allowed-host", metavar="NAME", help="With --token: a name the server answers to (Host header), "
        "repeatable; default the bound name. Without a token only localhost, 127.0.0.1 and [::1].")] = None,
) -> None:
    """Serve the web page and the JSON API (FastAPI + uvicorn)."""
    from comedo.cli.serve_cmd import run_serve

    raise typer.Exit(run_serve(host=host, port=port, token=token, workers=workers, threads=threads,
                               allowed_hosts=allowed_host))


@app.command()
def report(
    image: Annotated[Path, typer.Argument(metavar="IMAGE", help="The photo.")],
    out: Annotated[str, typer.Option(help="Where to write the HTML report (or PDF with --pdf); a folder (or a "
                                      "path ending in /) gets IMAGE's name .html inside it.")],
    answers: Annotated[Optional[Path], typer.Option(help="Triage answers (JSON file).")] = None,
    mm_per_px: Annotated[Optional[float], typer.Option(help="Scale of the photo, for sizes in mm.")] = None,
    pdf: Annotated[bool, typer.Option("--pdf", metavar="", help="Also render a PDF with headless Chromium.")] = False,
    paper: Annotated[str, typer.Option(metavar="a4|letter", help="Printed page size.")] = "a4",
    subject: Annotated[Optional[str], typer.Option(help="Pseudonymous subject id for the header.")] = None,
) -> None:
    """One self-contained HTML report (images inline) that prints well; --pdf renders it with Chromium."""
    from comedo.cli.report_cmd import run_report

    if paper not in ("a4", "letter"):
        fail(f"--paper must be a4 or letter; got {paper!r}")
    if subject is not None:
        from comedo.errors import ComedoError
        from comedo.store.sessions import check_subject

        try:
            check_subject(subject)
        except ComedoError as exc:
            fail(str(exc))
    raise typer.Exit(run_report(image, out=out, answers_path=answers, mm_per_px=mm_per_px, pdf=pdf, paper=paper,
                                subject=subject))


@app.command()
def compare(
    before: Annotated[Optional[Path], typer.Argument(metavar="BEFORE", help="The earlier photo.")] = None,
    after: Annotated[Optional[Path], typer.Argument(metavar="AFTER", help="The later photo of the same skin.")] = None,
    out: Annotated[Optional[Path], typer.Option(help="Write comparison.json, side_by_side.png, overlay.png here.")]
    = None,
    detector: Annotated[str, typer.Option(help="auto, model or classical.")] = "auto",
    subject: Annotated[Optional[str], typer.Option(
        help="Compare two of this subject's stored analyses instead of two photos: the first and the latest, or "
             "the two --ids.")] = None,
    ids: Annotated[Optional[tuple[int, int]], typer.Option(
        metavar="BEFORE_ID AFTER_ID", help="With --subject: the history ids to compare (see comedo history).")]
    = None,
    db: Annotated[Optional[str], typer.Option(envvar="COMEDO_DB", help="Database URL (default: SQLite).")] = None,
) -> None:
    """Before/after: align the photos, match lesions (resolved, persisting, new), change in redness.
    Exit code 3 when the photos do not show the same skin."""
    from comedo.cli.compare_cmd import run_compare, run_compare_stored

    if subject is not None:
        if before is not None or after is not None:
            fail("give two photos or --subject, not both")
        raise typer.Exit(run_compare_stored(subject, ids, out=out, db=db))
    if before is None or after is None or ids is not None:
        fail("give the BEFORE and AFTER photos (or --subject, with --ids for two stored analyses)")
    raise typer.Exit(run_compare(before, after, out=out, detector=detector))


@app.command()
def history(
    subject: Annotated[str, typer.Argument(metavar="SUBJECT", help="Pseudonymous subject id.")],
    out: Annotated[Optional[Path], typer.Option(help="Write a PNG chart and JSON of the history here.")] = None,
    db: Annotated[Optional[str], typer.Option(envvar="COMEDO_DB", help="Database URL (default: SQLite).")] = None,
) -> None:
    """A subject's analyses over time: counts by type, redness and severity (table, and a PNG chart with --out)."""
    from comedo.cli.store_cmd import run_history

    raise typer.Exit(run_history(subject, out=out, db=db))


def _add_session_commands() -> None:
    from comedo.cli.store_cmd import session_app, store_app

    app.add_typer(session_app, name="session")
    app.add_typer(store_app, name="store")


_add_session_commands()


def _add_developer_tools() -> None:
    from comedo.cli.dev_tools import add_developer_tools

    add_developer_tools(app)


_add_developer_tools()


@app.command()
def batch(
    inputs: Annotated[list[str], typer.Argument(metavar="INPUT",
                                                help="Folders, globs ('photos/**/*.jpg') or list files (@list.txt).")],
    out: Annotated[Path, typer.Option(help="Output folder: results/, errors/, summary.csv/.parquet/.html.")],
    workers: Annotated[Optional[int], typer.Option(min=1, max=256, help="Local worker processes (default: all "
                                                                      "cores).")] = None,
    scheduler: Annotated[Optional[str], typer.Option(help="Dask scheduler address, e.g. tcp://host:8786.")] = None,
    detector: Annotated[str, typer.Option(help="auto, model or classical.")] = "auto",
) -> None:
    """Analyse a whole archive: resumable (by content hash), with progress, on all cores or a Dask cluster."""
    from comedo.cli.batch_cmd import run_batch

    raise typer.Exit(run_batch(inputs, out=out, workers=workers, scheduler=scheduler, detector=detector))


@app.command()
def video(
    clip: Annotated[Path, typer.Argument(metavar="CLIP", help="MP4, MOV, WebM, AVI or animated GIF.")],
    every: Annotated[float, typer.Option(min=0.01, max=60, help="Seconds between analysed frames.")] = 0.5,
    out: Annotated[Optional[Path], typer.Option(help="Write timeline.json, timeline.png, keyframes.png and, "
                                                "when the first and last frames align, before_after.png here.")]
    = None,
    detector: Annotated[str, typer.Option(help="auto, model or classical.")] = "auto",
) -> None:
    """An extraction video as a timeline: lesion count and redness over time, instrument in/out, the release."""
    from comedo.cli.video_cmd import run_video

    raise typer.Exit(run_video(clip, every=every, out=out, detector=detector))


@app.command("export")
def export(
    results: Annotated[list[Path], typer.Argument(metavar="RESULT",
                                                  help="Analysis JSON files, or folders of them (batch output too).")],
    out: Annotated[str, typer.Option(help="The file to write; a folder (or a path ending in /) gets coco.json or "
                                      "labelstudio.json inside it. A folder for yolo.")],
    format: Annotated[str, typer.Option("--format", metavar="coco|yolo|labelstudio",
                                        help="COCO detections, YOLO label files, or Label Studio tasks.")] = "coco",
) -> None:
    """Export the lesions of analyses for annotation tools: COCO, YOLO or Label Studio pre-annotations."""
    from comedo.cli.export_cmd import run_export

    raise typer.Exit(run_export(results, fmt=format, out=out))  # text: a trailing / says "a folder"


def main() -> None:
    """Console entry point: no traceback ever reaches the user."""
    try:
        app()
    except KeyboardInterrupt:
        typer.echo("comedo: interrupted", err=True)
        sys.exit(130)


if __name__ == "__main__":
    main()
