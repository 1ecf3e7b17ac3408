"""``comedo export --format coco|yolo|labelstudio RESULTS... --out PATH``: analyses for annotation tools."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from comedo.cli.errors import error_code, print_error
from comedo.errors import ComedoError


def run_export(inputs: list[Path], *, fmt: str, out: Path | str) -> int:
    """Export what can be exported: a document that cannot (unreadable, or lacking a field) is one line on
    stderr and left out, and the exit code is 2 when any was; ``--out`` is checked before anything is read."""
    from comedo.cli.outputs import output_dir, output_file, write_output
    from comedo.workflows.export import (
        FORMATS,
        read_documents,
        to_coco,
        to_labelstudio,
        to_yolo,
    )

    if fmt not in FORMATS:
        print_error(f"--format must be one of {', '.join(FORMATS)}; got {fmt!r}")
        return 2
    problems: list[str] = []
    out_text, out = str(out), Path(out)  # as typed: a trailing "/" says "a folder"
    try:
        if fmt == "yolo":
            if out.exists() and not out.is_dir():
                print_error(f"--out {out}: a YOLO export is a folder of label files, and this is a file")
                return 2
            target = output_dir(out)
        else:  # a folder (existing, or "dir/") gets coco.json or labelstudio.json inside it
            target = output_file(out_text, default_name=f"{fmt}.json")
        docs = read_documents(inputs, problems)
    except ComedoError as exc:
        for line in problems:
            print_error(line)
        return 2 if problems else error_code(exc)
    for line in problems:
        print_error(line)
    try:
        if fmt == "yolo":
            files = to_yolo(docs)
            for name, text in files.items():
                write_output(target / name, text.encode())
            typer.echo(f"wrote {len(files) - 1} label files and classes.txt to {target} ({len(docs)} photos)")
        else:
            data = to_coco(docs) if fmt == "coco" else to_labelstudio(docs)
            write_output(target, (json.dumps(data, indent=1) + "\n").encode())
            lesions = sum(len(d["lesions"]) for d in docs)
            typer.echo(f"wrote {target}: {len(docs)} photos, {lesions} lesions ({fmt})")
    except ComedoError as exc:
        return error_code(exc)
    return 2 if problems else 0
