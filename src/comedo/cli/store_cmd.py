"""Store commands: ``history``, ``session start|step|report`` and ``store check|backup``; ``analyze --save`` uses
``open_store``."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from comedo.cli.errors import error_code, print_error
from comedo.cli.outputs import WriteError, os_error_line
from comedo.cli.typer_app import ComedoTyper
from comedo.errors import ComedoError, InvalidInputError

session_app = ComedoTyper(help="Documented extraction sessions: the safe-extraction protocol, step by step.",
                          no_args_is_help=True)


store_app = ComedoTyper(help="Look after the history store: check it, back it up.", no_args_is_help=True)


def open_store(db: str | None):  # type: ignore[no-untyped-def]
    """The store; when opening it migrated the schema, one line on stderr says where the old one was kept."""
    from comedo.store.repository import Store

    store = Store.open(db)
    if store.migration_backup is not None:
        typer.echo(f"note: the store was upgraded to this version's schema; the old one is kept in "
                   f"{store.migration_backup}", err=True)
    return store


def fail(exc: ComedoError) -> typer.Exit:
    return typer.Exit(error_code(exc))


def echo_warnings(codes: list[str] | tuple[str, ...], indent: str = "") -> None:
    """A step photo's warnings, worded (``comedo.store.sessions.STEP_WARNINGS``)."""
    from comedo.store.sessions import STEP_WARNINGS

    for code in codes:
        typer.echo(f"{indent}warning: {STEP_WARNINGS.get(code, code)}")


def run_history(subject: str, *, out: Path | None, db: str | None) -> int:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from comedo.cli.outputs import output_dir, write_output

    try:
        if out is not None:
            output_dir(out)  # a file, or a folder that cannot be written: one line, before the store is opened
        store = open_store(db)
        rows = store.history(subject)
    except ComedoError as exc:
        raise fail(exc) from None
    if not rows:
        print_error(f"no analyses stored for subject {subject!r}")
        return 2
    from comedo.grade.scales import HAYASHI_LABELS, IGA_LABELS

    table = Table(title=escape(f"history of {subject}"), caption="types: comedones / papules+pustules / nodules+cysts; "
                  "mm: the largest lesion, where the photo had a scale",
                  box=None, pad_edge=False, header_style="bold underline")
    # Figures keep to one line; words wrap between words (8-9 columns at least: "self-care" whole), so in 80
    # columns no column is squeezed to a character per line (issue 33); the version only where versions differ.
    versions = list(dict.fromkeys(r.comedo_version for r in rows))
    columns = ("#", "date", "lesions", "types", "Hayashi", "IGA", "GAGS", "redness", "triage") + \
        (("ver.",) if len(versions) > 1 else ())
    for col in columns:
        words = {"Hayashi": 8, "IGA": 8, "redness": 8, "triage": 9}.get(col)
        table.add_column(col, no_wrap=words is None, overflow="fold", min_width=words)
    for r in rows:
        lesions = str(r.lesion_count)
        if r.estimated_lesion_count is not None and r.estimated_lesion_count != r.lesion_count:
            lesions += f" (~{r.estimated_lesion_count})"
        if r.largest_lesion_mm is not None:  # the largest lesion's own size, below the count (within 80 columns)
            lesions += f"\n{r.largest_lesion_mm:.1f} mm"
        redness = r.irritation + ("" if r.delta_a_p90 is None else f" {r.delta_a_p90:+.1f}")
        table.add_row(str(r.analysis_id), r.created_at.strftime("%Y-%m-%d"), lesions,
                      f"{r.non_inflammatory}/{r.papules_pustules}/{r.nodules_cysts}",
                      "-" if r.hayashi_grade is None else HAYASHI_LABELS[r.hayashi_grade].replace("_", " "),
                      "-" if r.iga_grade is None else f"{r.iga_grade} {IGA_LABELS[r.iga_grade].replace('_', ' ')}",
                      "-" if r.gags_score is None else str(r.gags_score), redness,
                      (r.triage_level or "-").replace("_", "-"),
                      *((escape(r.comedo_version),) if len(versions) > 1 else ()))  # text, not markup
    Console().print(table)
    if len(versions) > 1:
        typer.echo(f"note: these analyses were made by comedo {', '.join(versions)}; some figures changed between "
                   "versions (see CHANGELOG.md), so a step at a change of version may not be a change in the skin")
    if out is not None:
        from comedo.io import encode_png
        from comedo.render.history_chart import history_chart

        try:
            write_output(out / f"history-{subject}.png", encode_png(history_chart(rows, subject)))
            write_output(out / f"history-{subject}.json", json.dumps(
                [{**r.__dict__, "created_at": r.created_at.isoformat()} for r in rows], indent=2).encode())
        except ComedoError as exc:
            raise fail(exc) from None
        typer.echo(f"wrote {out / f'history-{subject}.png'} and .json")
    return 0


@session_app.command("start")
def session_start(
    subject: str,
    photo: Path | None = typer.Option(None, help="A 'before' photo of the spot; its triage governs the steps."),
    answers: Path | None = typer.Option(None, help="Triage answers (JSON) for the spot."),
    db: str | None = typer.Option(None, envvar="COMEDO_DB", help="Database URL (default: SQLite in the data dir)."),
) -> None:
    """Start a documented extraction session for SUBJECT."""
    from comedo.explain.answers import Answers, load_answers
    from comedo.pipeline import analyze

    try:
        store = open_store(db)
        before = None
        if photo is not None:
            before = analyze(photo, answers=load_answers(answers) if answers else Answers())
        key = store.start_session(subject, before=before)
        info = store.session_info(key)
    except ComedoError as exc:
        raise fail(exc) from None
    except OSError as exc:  # the store's photo folder cannot be written
        raise fail(WriteError(f"cannot store the photo: {os_error_line(exc, photo or '')}")) from None
    typer.echo(f"session {key} started for {subject}")
    if info["extraction_advice"]:
        typer.echo(f"extraction advice: {info['extraction_advice']}")
        for why in info["advice_why"]:
            typer.echo(f"  - {why}")
    from comedo.store.sessions import STEPS, next_step_text

    typer.echo(f"steps: {', '.join(STEPS)}")
    typer.echo(next_step_text(info))


@session_app.command("list")
def session_list(
    subject: str | None = typer.Argument(None, help="Only this subject's sessions."),
    db: str | None = typer.Option(None, envvar="COMEDO_DB"),
) -> None:
    """The extraction sessions, newest first: id, subject, date, advice and the steps done."""
    try:
        rows = open_store(db).sessions(subject)
    except ComedoError as exc:
        raise fail(exc) from None
    if not rows:
        raise fail(InvalidInputError(f"no extraction sessions{f' for subject {subject!r}' if subject else ''}"))
    for r in rows:
        steps = ", ".join(r["steps"]) or "no steps yet"
        typer.echo(f"{r['id']}  {r['subject_id']}  {r['started_at']:%Y-%m-%d %H:%M}  "
                   f"{r['extraction_advice'] or 'no before photo'}  ({steps})")


@session_app.command("show")
def session_show(
    session: str,
    db: str | None = typer.Option(None, envvar="COMEDO_DB"),
) -> None:
    """One session: its advice and why, each step recorded (time, note, override), and what comes next."""
    from comedo.store.sessions import next_step_text

    try:
        info = open_store(db).session_info(session)
    except ComedoError as exc:
        raise fail(exc) from None
    typer.echo(f"session {info['id']} of {info['subject_id']}, started {info['started_at']:%Y-%m-%d %H:%M}")
    typer.echo(f"extraction advice: {info['extraction_advice'] or 'none (no before photo)'}")
    for why in info["advice_why"]:
        typer.echo(f"  - {why}")
    for step in info["steps"]:
        extra = "".join(f"; {k}: {step[k]}" for k in ("note", "override_reason") if step[k])
        again = f" (attempt {step['attempt']})" if step["attempt"] > 1 else ""
        typer.echo(f"{step['seq']}. {step['step']}{again} at {step['created_at']:%H:%M:%S}{extra}")
        echo_warnings([w["code"] for w in step["warnings"]], indent="   ")
    typer.echo(next_step_text(info))


@session_app.command("step")
def session_step(
    session: str,
    step: str = typer.Argument(..., help="sterilise, find_the_core, gentle_pressure, release or aftercare (the "
                               "old names identify_core and apply_pressure are accepted)"),
    photo: Path | None = typer.Option(None, help="A photo taken at this step."),
    note: str | None = typer.Option(None, help="A free-text note."),
    override: str | None = typer.Option(None, help="Reason for going ahead against a do_not_extract advice."),
    again: bool = typer.Option(False, "--again", help="Record a step that is already recorded once more (its "
                               "next attempt)."),
    db: str | None = typer.Option(None, envvar="COMEDO_DB"),
) -> None:
    """Record a protocol step; steps out of order, a repeat, or pressure on a do-not-extract spot, are refused."""
    from comedo.pipeline import analyze
    from comedo.store.sessions import canonical_step, next_step_text

    try:
        step, renamed = canonical_step(step)  # before any photo is analysed
        store = open_store(db)
        shot = analyze(photo) if photo is not None else None
        recorded = store.add_step(session, step, photo=shot, note=note, override=override, again=again)
        info = store.session_info(session)
    except ComedoError as exc:
        raise fail(exc) from None
    except OSError as exc:  # the store's photo folder cannot be written
        raise fail(WriteError(f"cannot store the photo: {os_error_line(exc, photo or '')}")) from None
    if renamed:
        typer.echo(f"note: {renamed}", err=True)
    attempt = f" (attempt {recorded.attempt})" if recorded.attempt > 1 else ""
    typer.echo(f"{session}: {step}{attempt} recorded" + (" (override stored)" if override else ""))
    echo_warnings(recorded.warnings)
    typer.echo(next_step_text(info))


@session_app.command("report")
def session_report(
    session: str,
    out: str = typer.Option(..., help="Where to write the HTML report (a folder, or a path ending in /, gets "
                            "session-SESSION.html inside it)."),
    db: str | None = typer.Option(None, envvar="COMEDO_DB"),
) -> None:
    """HTML report of a session: steps, photos, before/after comparison, aftercare."""
    from comedo.cli.outputs import output_file, write_output
    from comedo.render.session_report import session_report_html

    try:
        target = output_file(out, default_name=f"session-{session}.html")  # checked before the report is made
        store = open_store(db)
        html = session_report_html(store, session)
        write_output(target, html.encode("utf-8"))
    except ComedoError as exc:
        raise fail(exc) from None
    typer.echo(f"wrote {target}")


@store_app.command("check")
def store_check(
    db: str | None = typer.Option(None, envvar="COMEDO_DB", help="Database URL (default: SQLite in the data dir)."),
) -> None:
    """Check the store: SQLite's integrity and foreign keys, every stored photo file present and unaltered.
    Prints one line per problem and exits 1 when there is any."""
    try:
        store = open_store(db)
    except ComedoError as exc:
        raise fail(exc) from None
    try:
        problems = store.check()
    except ComedoError as exc:
        raise fail(exc) from None
    finally:
        store.close()
    if problems:
        for problem in problems:
            typer.echo(f"problem: {problem}")
        print_error(f"the store has {len(problems)} problem{'s' if len(problems) != 1 else ''} (listed above)")
        raise typer.Exit(1)
    typer.echo("store ok: integrity, references and every stored photo file checked")


@store_app.command("backup")
def store_backup(
    out: str | None = typer.Option(None, help="Where to write the copy (a folder, or a path ending in /, gets a "
                                              "timestamped name inside it); default: beside the store, timestamped."),
    db: str | None = typer.Option(None, envvar="COMEDO_DB", help="Database URL (default: SQLite in the data dir)."),
) -> None:
    """A consistent copy of a SQLite store, also while another comedo writes (PostgreSQL: use pg_dump)."""
    from comedo.cli.outputs import output_file
    from comedo.store.sqlite_files import backup_path_for

    try:
        store = open_store(db)
    except ComedoError as exc:
        raise fail(exc) from None
    try:
        target = None
        if out is not None:
            name = backup_path_for(store.db_path).name if store.db_path is not None else "comedo.backup"
            target = output_file(out, default_name=name)
        dest = store.backup(target)
    except ComedoError as exc:
        raise fail(exc) from None
    finally:
        store.close()
    typer.echo(f"backed up to {dest} (the photos stay in the store's photos/ folder; they never change)")
