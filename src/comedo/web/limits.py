"""What keeps the server bounded: request-body limits, the byte-bounded result cache, memory handed back after
large analyses, the server's resident memory, and the security headers' policies."""

from __future__ import annotations

import ctypes
import ctypes.util
import secrets
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import lru_cache
from threading import Lock
from typing import Any

from fastapi import HTTPException

from comedo.analysis import Analysis
from comedo.web.errors import ApiError, send_error

__all__ = ["CSP", "REPORT_CSP", "footprint", "ResultCache", "BodyLimit", "mb", "peak_rss_mb", "release_memory",
           "rss_mb"]

# Scripts, styles and images from this server only (the page's photos are same-origin; reports embed data: URIs).
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
REPORT_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"  # the standalone HTML report


def footprint(analysis: Analysis) -> int:
    """Bytes an analysis holds in memory: the photo, the skin mask and the redness map dominate."""
    return int(analysis.image.pixels.nbytes + analysis.skin.mask.nbytes + analysis.redness.delta_map.nbytes)


@dataclass
class ResultCache:
    """Recent results by id, bounded by count and by bytes (a 49 MP upload holds about 150 MB); the history
    store (when used) keeps analyses for good."""

    capacity: int
    max_bytes: int
    what: str = "analysis"
    items: OrderedDict[str, tuple[Any, int]] = field(default_factory=OrderedDict)
    total: int = 0
    lock: Lock = field(default_factory=Lock)

    def put(self, value: Any, size: int) -> str:
        key = secrets.token_hex(8)
        with self.lock:
            self.items[key] = (value, size)
            self.total += size
            while len(self.items) > 1 and (len(self.items) > self.capacity or self.total > self.max_bytes):
                _, (_, freed) = self.items.popitem(last=False)
                self.total -= freed
        return key

    def get(self, key: str) -> Any:
        with self.lock:
            if key not in self.items:
                raise ApiError(404, "not_found", f"no {self.what} with id {key[:40]!r} (it may have expired)")
            self.items.move_to_end(key)
            return self.items[key][0]


class BodyLimit:
    """ASGI middleware: a request body over its route's limit is refused with 413 before it is read whole,
    whether or not it declares its length (chunked uploads are counted as they arrive)."""

    def __init__(self, app: Any, *, upload_bytes: int, json_bytes: int) -> None:
        self.app, self.upload_bytes, self.json_bytes = app, upload_bytes, json_bytes

    def limit(self, path: str) -> int:
        # Multipart routes carry photos (two for a comparison) and a little form data.
        return 2 * self.upload_bytes + (1 << 20) if path in ("/api/v1/analyses", "/api/v1/comparisons") \
            else self.json_bytes

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit(scope["path"])
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await send_error(send, 413, "too_large", f"the request body is over the {mb(limit)} limit")
            return
        seen = 0

        async def counted() -> dict:
            nonlocal seen
            message = await receive()
            if message.get("type") == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise HTTPException(413, f"the request body is over the {mb(limit)} limit")
            return message

        await self.app(scope, counted, send)


def mb(limit: int) -> str:
    """A byte limit as the docs state it (25 MB means 25 MiB, as Settings sets it), in the unit that shows it:
    the 64 KB triage body read "0 MB"."""
    from comedo.io import format_size

    return format_size(limit)


def release_memory() -> None:
    """Hand freed heap memory back to the system (glibc's malloc_trim) after a large analysis.

    glibc raises its mmap threshold after a large block is freed, so the next photo's arrays come from the heap
    and, once freed, stay in the process: after 50 uploads of 49 MP photos the server kept 1.7 GB. Elsewhere
    (no glibc) this does nothing."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@lru_cache(maxsize=1)
def _malloc_trim() -> Any:
    """glibc's malloc_trim, looked up once (find_library runs ldconfig), or None where there is none."""
    name = ctypes.util.find_library("c")
    if not name:
        return None
    try:
        return ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError):
        return None


def rss_mb() -> float | None:
    """Resident set size of this process in MB (Linux /proc; None elsewhere)."""
    import os

    try:
        with open("/proc/self/statm") as handle:
            return round(int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6, 1)
    except (OSError, ValueError, IndexError):
        return None


def peak_rss_mb() -> float | None:
    """The most resident memory this process has held (Linux VmHWM; None elsewhere): a true peak, which samples
    of ``rss_mb`` taken during a load test can miss."""
    try:
        with open("/proc/self/status") as handle:
            line = next(x for x in handle if x.startswith("VmHWM:"))
        return round(int(line.split()[1]) * 1024 / 1e6, 1)
    except (OSError, ValueError, IndexError, StopIteration):
        return None
