"""The SQLite store as a file: noticing a lost or foreign file before SQLite would quietly start afresh, and
consistent backups beside it (SQLite's online backup API, so a backup taken while others write is whole)."""

from __future__ import annotations

import os
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

from comedo.errors import StoreError

__all__ = ["check_store_file", "backup_sqlite", "backup_path_for", "latest_backup", "BACKUP_INFIX"]

BACKUP_INFIX = ".backup-"
_HEADER = b"SQLite format 3\x00"


def check_store_file(db_path: Path, photo_dir: Path) -> None:
    """Refuse a store file that lost its data: empty while photos are stored beside it, or not SQLite at all.

    SQLite itself would treat an empty file as a new store (the history silently gone) and answer "file is not
    a database" to a foreign one on the first query; either way the person should be told how to recover."""
    if not db_path.is_file():
        return
    size = db_path.stat().st_size
    if size == 0:
        photos = _count_photos(photo_dir)
        if photos:
            raise StoreError(f"the store {db_path} is empty (0 bytes) but {photo_dir} holds {photos} stored "
                             f"photo{'s' if photos != 1 else ''}: the history was lost. {_recovery(db_path)}")
        return
    with db_path.open("rb") as handle:
        header = handle.read(len(_HEADER))
    if header != _HEADER:
        raise StoreError(f"the store {db_path} is not a SQLite database ({size} bytes, damaged or replaced). "
                         f"{_recovery(db_path)}")


def _recovery(db_path: Path) -> str:
    backup = latest_backup(db_path)
    where = f"the newest is {backup}" if backup is not None else f"none was found beside it ({db_path.name}" \
        f"{BACKUP_INFIX}*)"
    return (f"To recover, copy a backup over it ({where}) and run comedo store check; or move the file aside to "
            "start a new, empty store")


def _count_photos(photo_dir: Path) -> int:
    if not photo_dir.is_dir():
        return 0
    return sum(1 for p in photo_dir.glob("??/*") if p.is_file() and not p.name.startswith(".tmp-"))


def backup_path_for(db_path: Path, tag: str = "") -> Path:
    """A new, timestamped name beside the store: ``comedo.sqlite.backup-20260101T120000Z[-tag]``."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    base = f"{db_path.name}{BACKUP_INFIX}{stamp}{f'-{tag}' if tag else ''}"
    candidate, n = db_path.with_name(base), 1
    while candidate.exists():
        n += 1
        candidate = db_path.with_name(f"{base}.{n}")
    return candidate


def latest_backup(db_path: Path) -> Path | None:
    found = [p for p in db_path.parent.glob(f"{db_path.name}{BACKUP_INFIX}*") if p.is_file()]
    return max(found, key=lambda p: p.stat().st_mtime) if found else None


def backup_sqlite(source: sqlite3.Connection, dest: Path) -> Path:
    """A consistent copy of ``source``'s database at ``dest``, written under a temporary name, synced to disk
    and renamed, so a half-written backup never carries the backup's name."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".tmp-{dest.name}")
    tmp.unlink(missing_ok=True)
    try:
        target = sqlite3.connect(tmp)
        try:
            source.backup(target)
        finally:
            target.close()
        with tmp.open("rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return dest
