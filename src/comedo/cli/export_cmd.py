"""``comedo export --format coco|yolo|labelstudio RESULTS... --out PATH``: analyses for annotation tools."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from comedo.cli.errors import error_code, print_error
from comedo.errors import ComedoError


def run_export(inputs: list[Path], *, fmt: str, out: Path) -> int:
    from comedo.files import write_atomic
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
    try:
        docs = read_documents(inputs)
    except ComedoError as exc:
        return error_code(exc)
    try:
        if fmt == "yolo":
            if out.exists() and not out.is_dir():
                print_error(f"--out {out}: a YOLO export is a folder of label files, and this is a file")
                return 2
            files = to_yolo(docs)
            for name, text in files.items():
                write_atomic(out / name, text.encode())
            typer.echo(f"wrote {len(files) - 1} label files and classes.txt to {out} ({len(docs)} photos)")
            return 0
        if out.is_dir():
            print_error(f"--out {out}: is a folder; give the JSON file to write")
            return 2
        data = to_coco(docs) if fmt == "coco" else to_labelstudio(docs)
        write_atomic(out, (json.dumps(data, indent=1) + "\n").encode())
    except OSError as exc:
        print_error(f"--out {out}: cannot write ({exc.strerror or exc})")
        return 1
    lesions = sum(len(d["lesions"]) for d in docs)
    typer.echo(f"wrote {out}: {len(docs)} photos, {lesions} lesions ({fmt})")
    return 0
