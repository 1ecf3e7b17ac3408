"""Where commands write: one place that resolves and checks ``--out`` paths, so every command refuses a bad one
with the same one line (naming the path and what is wrong) before any work, and a write that still fails (a full
disk, a folder made read-only meanwhile) ends in one line too, never a traceback.

- ``output_dir``: a folder to write into. Made when missing; an existing file, or a folder this user cannot
  write, is refused.
- ``output_file``: a file to write. An existing folder, or a path ending in ``/``, gets the file inside it under
  the command's default name; the folder it goes into must be writable.
- ``write_output``: ``write_atomic`` whose ``OSError`` becomes a ``WriteError``.
"""

from __future__ import annotations

import os
from pathlib import Path

from comedo.errors import ComedoError
from comedo.files import TEMP_PREFIX, write_atomic

__all__ = ["OutputError", "WriteError", "output_dir", "output_file", "write_output", "os_error_line"]


class OutputError(ComedoError):
    """An ``--out`` that cannot be used (a file where a folder is needed, a folder this user cannot write),
    found before any work: exit code 2, as for any bad option value."""

    exit_code = 2


class WriteError(ComedoError):
    """A write that failed after the checks (disk full, a folder made read-only meanwhile): exit code 1."""

    exit_code = 1


def os_error_line(exc: OSError, path: Path | str) -> str:
    """"PATH: cannot write (Permission denied)", naming the file the system refused (``exc.filename``) when it
    says, else ``path``."""
    where = Path(os.fsdecode(exc.filename)) if exc.filename else Path(path)
    if where.name.startswith(TEMP_PREFIX):  # write_atomic's temporary file: the folder is what matters
        where = where.parent
    return f"{where}: cannot write ({exc.strerror or exc})"


def _nearest_existing(path: Path) -> Path:
    """``path`` or its closest existing ancestor (the folder a ``mkdir -p`` would write into)."""
    current = path
    while not current.exists() and current.parent != current:
        current = current.parent
    return current


def _check_writable_folder(folder: Path, given: Path, option: str) -> None:
    existing = _nearest_existing(folder)
    if not existing.is_dir():
        raise OutputError(f"{option} {given}: {existing} is a file, not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise OutputError(f"{option} {given}: cannot write into {existing} (permission denied)")


def output_dir(path: Path, *, option: str = "--out") -> Path:
    """The folder ``path``, created (with its parents) and checked writable; an ``OutputError`` otherwise."""
    if path.exists() and not path.is_dir():
        raise OutputError(f"{option} {path}: exists and is not a folder")
    _check_writable_folder(path, path, option)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{option} {path}: cannot create the folder ({exc.strerror or exc})") from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise OutputError(f"{option} {path}: cannot write into this folder (permission denied)")
    return path


def output_file(path: Path | str, *, default_name: str, option: str = "--out") -> Path:
    """The file to write for ``--out path``: ``path`` itself, or ``path/default_name`` when ``path`` is an
    existing folder or ends in a separator (``out/``). Its folder is created if missing and must be writable."""
    text = str(path)
    given = Path(text)
    target = given / default_name if text.endswith(("/", os.sep)) or given.is_dir() else given
    if target.is_dir():
        raise OutputError(f"{option} {target}: is a folder, not a file")
    _check_writable_folder(target.parent, given, option)
    if target.exists() and not os.access(target, os.W_OK):
        raise OutputError(f"{option} {target}: the file exists and cannot be overwritten (permission denied)")
    return target


def write_output(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically; a failure (read-only, disk full, name too long) is an
    ``WriteError`` naming the file."""
    try:
        write_atomic(path, data)
    except OSError as exc:
        raise WriteError(os_error_line(exc, path)) from None
