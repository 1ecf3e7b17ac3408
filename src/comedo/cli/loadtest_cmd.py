"""``comedo load-test``: concurrent clients posting photos (``analyses``) or before/after pairs (``comparisons``)
to a running server on this machine, bounded in time and count, while one more client polls ``/api/v1/health``;
prints requests/s, p50/p95 latency, errors, how fast the health check answered under the load, and the server's
memory (sampled, and its peak). Only loopback addresses are accepted: this is a benchmark of your own server,
never a tool to send traffic elsewhere."""

from __future__ import annotations

import http.client
import io
import json
import statistics
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse

import typer

from comedo.cli.errors import error_code, print_error
from comedo.cli.serve_cmd import is_loopback

ROUTES = {"analyses": ("image",), "comparisons": ("before", "after")}  # route -> its photo fields
HEALTH_EVERY_S = 0.25


def _multipart(image: bytes, fields: tuple[str, ...]) -> tuple[bytes, str]:
    """One multipart body with ``image`` under each of ``fields`` (a comparison posts the same photo twice)."""
    boundary = uuid.uuid4().hex
    body = io.BytesIO()
    for field in fields:
        body.write(f"--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{field}.jpg\"\r\n"
                   "Content-Type: image/jpeg\r\n\r\n".encode())
        body.write(image)
        body.write(b"\r\n")
    body.write(f"--{boundary}--\r\n".encode())
    return body.getvalue(), f"multipart/form-data; boundary={boundary}"


def server_health(host: str, port: int, headers: dict[str, str]) -> tuple[float, dict] | None:
    """``(milliseconds, body)`` of one health check, or None when it failed."""
    t = time.perf_counter()
    try:
        conn = http.client.HTTPConnection(host, port, timeout=30)
        conn.request("GET", "/api/v1/health", headers={k: v for k, v in headers.items() if k == "Authorization"})
        body = json.loads(conn.getresponse().read())
        conn.close()
        return (time.perf_counter() - t) * 1000, body if isinstance(body, dict) else {}
    except (OSError, http.client.HTTPException, ValueError):
        return None


def server_rss_mb(host: str, port: int, headers: dict[str, str]) -> float | None:
    """The server's resident memory as its health route reports it (None when it does not)."""
    answer = server_health(host, port, headers)
    value = answer[1].get("rss_mb") if answer else None
    return float(value) if isinstance(value, (int, float)) else None


def run_load_test(url: str, *, clients: int, seconds: float, max_requests: int, image: Path | None,
                  token: str | None, keep_size: bool = False, route: str = "analyses",
                  megapixels: float | None = None) -> int:
    import cv2

    from comedo.cli.benchmark_cmd import _jpeg, sample_path
    from comedo.errors import ComedoError
    from comedo.io import load_image

    parsed = urlparse(url)
    if parsed.scheme != "http" or not parsed.hostname or not is_loopback(parsed.hostname):
        print_error("--url must be http:// on a loopback address (127.0.0.1, localhost, ::1)")
        return 2
    if route not in ROUTES:
        print_error(f"--route must be one of {', '.join(ROUTES)}, not {route!r}")
        return 2
    try:
        pixels = load_image(image or sample_path()).pixels
    except ComedoError as exc:
        return error_code(exc)
    if megapixels is not None:  # the photo scaled to this many pixels, its shape kept (49 for a 7000x7000 photo)
        scale = (megapixels * 1e6 / (pixels.shape[0] * pixels.shape[1])) ** 0.5
        size = (round(pixels.shape[1] * scale), round(pixels.shape[0] * scale))
        pixels = cv2.resize(pixels, size, interpolation=cv2.INTER_CUBIC if scale > 1 else cv2.INTER_AREA)
    elif not keep_size:
        pixels = cv2.resize(pixels, (640, 640), interpolation=cv2.INTER_AREA)
    photo = _jpeg(pixels)
    body, content_type = _multipart(photo, ROUTES[route])
    del pixels
    host, port, path = parsed.hostname, parsed.port or 80, f"/api/v1/{route}"
    headers = {"Content-Type": content_type}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    latencies: list[float] = []
    errors: list[str] = []
    health: list[tuple[float, dict]] = []
    health_failed = [0]
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds
    sent = [0]
    done_event = threading.Event()

    def client() -> None:
        conn = http.client.HTTPConnection(host, port, timeout=600)
        while time.monotonic() < stop_at:
            with lock:
                if sent[0] >= max_requests:
                    break
                sent[0] += 1
            t = time.perf_counter()
            try:
                conn.request("POST", path, body=body, headers=headers)
                response = conn.getresponse()
                payload = response.read()
                ok = response.status == 201 and json.loads(payload).get("id")
            except (OSError, http.client.HTTPException, ValueError) as exc:
                ok = False
                payload = str(exc).encode()
                conn.close()
                conn = http.client.HTTPConnection(host, port, timeout=600)
            with lock:
                if ok:
                    latencies.append((time.perf_counter() - t) * 1000)
                else:
                    errors.append(payload[:120].decode(errors="replace"))
        conn.close()

    def watch_health() -> None:
        """What a user opening the page meanwhile would see: the health check's latency, and memory samples."""
        while True:  # one check at once, then one every HEALTH_EVERY_S until the clients are done
            answer = server_health(host, port, headers)
            with lock:
                if answer is None:
                    health_failed[0] += 1
                else:
                    health.append(answer)
            if done_event.wait(HEALTH_EVERY_S):
                return

    rss_before = server_rss_mb(host, port, headers)
    started = time.monotonic()
    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    watcher = threading.Thread(target=watch_health, daemon=True)
    watcher.start()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    done_event.set()
    watcher.join()
    elapsed = time.monotonic() - started
    done = len(latencies)
    width, height = _jpeg_size(photo)
    typer.echo(f"{clients} clients, {elapsed:.1f} s, {width}x{height} JPEG ({len(photo) / 1e6:.1f} MB) posted to "
               f"{path} ({len(ROUTES[route])} per request) at {url}")
    after = server_health(host, port, headers)
    rss_after = after[1].get("rss_mb") if after else None
    if rss_before is not None and rss_after is not None:
        typer.echo(f"server RSS: {rss_before:.0f} MB before, {rss_after:.0f} MB after")
    _print_health(health, health_failed[0], after[1].get("rss_peak_mb") if after else None)
    if done:
        ordered = sorted(latencies)
        typer.echo(f"requests: {done} ok, {len(errors)} errors; {done / elapsed:.2f} requests/s; latency p50 "
                   f"{statistics.median(ordered):.0f} ms, p95 {ordered[int(0.95 * (done - 1))]:.0f} ms, "
                   f"max {ordered[-1]:.0f} ms")
    else:
        typer.echo(f"requests: 0 ok, {len(errors)} errors")
    for e in errors[:3]:
        typer.echo(f"  error: {e}", err=True)
    return 0 if not errors and done else 1


def _print_health(health: list[tuple[float, dict]], failed: int, peak: float | None) -> None:
    if health:
        ms = sorted(h[0] for h in health)
        sampled = [h[1]["rss_mb"] for h in health if isinstance(h[1].get("rss_mb"), (int, float))]
        typer.echo(f"/health under load: {len(ms)} checks, {failed} failed; p50 {statistics.median(ms):.0f} ms, "
                   f"max {ms[-1]:.0f} ms" + (f"; server RSS sampled max {max(sampled):.0f} MB" if sampled else ""))
    if peak is not None:
        typer.echo(f"server peak RSS since it started (VmHWM): {peak:.0f} MB")


def _jpeg_size(data: bytes) -> tuple[int, int]:
    from PIL import Image

    with Image.open(io.BytesIO(data)) as img:
        return img.size
