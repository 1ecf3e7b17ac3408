"""The batch summary: one row per name, for the content it had when last seen.

``OUT/names.jsonl`` records, line by line, which content (sha256) each name had when a run last saw it; the
summary tables are rebuilt from it and the result and error files. See ``comedo.workflows.batch``."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path
from typing import Any

from comedo.files import write_atomic
from comedo.schema.summary import summary_row

__all__ = ["NAMES_FILE", "NameLog", "read_names", "write_summary"]

NAMES_FILE = "names.jsonl"


def name_key(path: str) -> str:
    """One name whether given relative or absolute (``photos/a.jpg`` and ``/home/me/photos/a.jpg``)."""
    return os.path.abspath(path)


def read_names(out: Path) -> dict[str, tuple[str, str]]:
    """``{name key: (path as given, sha256)}`` from ``OUT/names.jsonl``: the last line for a name wins; a line
    that is not whole JSON (the end of a run killed mid-write) is skipped."""
    names: dict[str, tuple[str, str]] = {}
    try:
        text = (out / NAMES_FILE).read_text(encoding="utf-8")
    except FileNotFoundError:
        return names
    for line in text.splitlines():
        try:
            entry = json.loads(line)
            names[name_key(entry["path"])] = (str(entry["path"]), str(entry["sha256"]))
        except (ValueError, KeyError, TypeError):
            continue
    return names


class NameLog:
    """Appends ``{"path", "sha256"}`` to ``OUT/names.jsonl`` when a name is new or its content changed."""

    def __init__(self, out: Path) -> None:
        self.path = out / NAMES_FILE
        self.known = read_names(out)

    def record(self, path: str, sha: str) -> None:
        if not sha or self.known.get(name_key(path)) == (path, sha):
            return
        self.known[name_key(path)] = (path, sha)
        with self.path.open("a", encoding="utf-8") as handle:  # one short line: whole, or skipped when read
            handle.write(json.dumps({"path": path, "sha256": sha}) + "\n")



def write_summary(out_dir: str | Path) -> dict[str, Path]:
    """Rebuild summary.csv, summary.parquet (if pyarrow is installed) and summary.html from the result files:
    one row per name, for the content it had when last seen (``names.jsonl``). Result and error files no name
    points at (an output folder from before the name log) are listed by the path they record, unless that path
    is a logged name (then they are an older content of it)."""
    import csv

    out = Path(out_dir)
    names = read_names(out)
    rows: list[dict[str, Any]] = []
    listed: set[str] = set()  # content hashes some name points at

    def load(kind: str, sha: str) -> dict[str, Any] | None:
        try:
            return dict(json.loads((out / kind / f"{sha}.json").read_text()))
        except (OSError, ValueError, TypeError):
            return None

    for path, sha in names.values():
        listed.add(sha)
        doc = load("results", sha)
        if doc is not None:
            rows.append({**summary_row(doc), "path": path})
            continue
        err = load("errors", sha)
        if err is not None:
            rows.append({"path": path, "sha256": sha, "error": err.get("error")})
    unlisted = [f for f in sorted((out / "results").glob("*.json")) if f.stem not in listed]
    for f in unlisted:
        row = summary_row(json.loads(f.read_text()))
        if name_key(row["path"]) not in names:
            rows.append(row)
    analysed = {row["path"] for row in rows if not row.get("error")}
    for f in sorted((out / "errors").glob("*.json")):
        if f.stem in listed:
            continue
        err = json.loads(f.read_text())
        if err["path"] not in analysed and name_key(err["path"]) not in names:
            rows.append({"path": err["path"], "sha256": err["sha256"], "error": err["error"]})  # not superseded
    columns = [
        "path", "sha256", "width", "height", "lesions", "n_open_comedo", "n_closed_comedo", "n_papule", "n_pustule",
        "n_nodule", "n_cyst", "n_untyped", "hayashi_grade", "iga_grade", "nice_band", "irritation", "delta_a_p90",
        "dark_spots", "triage_level", "scene", "quality_flags", "error"]
    table_rows = [{c: row.get(c) for c in columns} for row in rows]
    written: dict[str, Path] = {}
    text = io.StringIO(newline="")
    writer = csv.DictWriter(text, fieldnames=columns)
    writer.writeheader()
    writer.writerows(table_rows)
    write_atomic(out / "summary.csv", text.getvalue().encode("utf-8"))
    written["csv"] = out / "summary.csv"
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        pass
    else:
        buffer = pa.BufferOutputStream()
        pq.write_table(pa.Table.from_pylist(table_rows), buffer)
        write_atomic(out / "summary.parquet", buffer.getvalue().to_pybytes())
        written["parquet"] = out / "summary.parquet"
    from comedo.render.batch_report import batch_summary_html

    write_atomic(out / "summary.html", batch_summary_html(rows).encode("utf-8"))
    written["html"] = out / "summary.html"
    return written

