"""File helpers: atomic writes, content hashes, and which file names are photos."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

__all__ = ["write_atomic", "file_sha256", "IMAGE_SUFFIXES", "TEMP_PREFIX"]

# File suffixes taken as photos when a folder is given (the loader itself goes by content, not name).
IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".webp", ".tif", ".tiff", ".bmp", ".heic", ".heif"})


# write_atomic's temporary files: ".tmp-" and eight random characters, whatever the final name's length.
TEMP_PREFIX = ".tmp-"


def write_atomic(path: Path, data: bytes, *, fsync: bool = False) -> None:
    """Write via a temporary file in the same folder and rename, so a crash never leaves half a file.

    The temporary name is short and random (``.tmp-XXXXXXXX``), not derived from ``path``'s name, so any name
    the file system accepts can be written: a name of 245 characters plus a prefix and suffix would pass the
    255-byte limit of a file name."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=TEMP_PREFIX)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if fsync:
                handle.flush()
                os.fsync(handle.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; outputs are ordinary files
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
