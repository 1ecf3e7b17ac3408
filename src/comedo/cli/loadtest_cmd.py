"""``comedo load-test``: concurrent clients posting photos to a running server on
this machine, bounded in time and count; prints requests/s, p50/p95 latency
and errors. Only loopback addresses are accepted: this is a benchmark of your
own server, never a tool to send traffic elsewhere."""

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


def _multipart(image: bytes, name: str) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = io.BytesIO()
    body.write(f"--{boundary}\r\nContent-Disposition: form-data; name=\"image\"; filename=\"{name}\"\r\n"
               "Content-Type: image/jpeg\r\n\r\n".encode())
    body.write(image)
    body.write(f"\r\n--{boundary}--\r\n".encode())
    return body.getvalue(), f"multipart/form-data; boundary={boundary}"


def server_rss_mb(host: str, port: int, headers: dict[str, str]) -> float | None:
    """The server's resident memory as its health route reports it (None when it does not)."""
    try:
        conn = http.client.HTTPConnection(host, port, timeout=10)
        conn.request("GET", "/api/v1/health", headers={k: v for k, v in headers.items() if k == "Authorization"})
        value = json.loads(conn.getresponse().read()).get("rss_mb")
        conn.close()
        return float(value) if value is not None else None
    except (OSError, http.client.HTTPException, ValueError, TypeError):
        return None


def run_load_test(url: str, *, clients: int, seconds: float, max_requests: int, image: Path | None,
                  token: str | None, keep_size: bool = False) -> int:
    import cv2

    from comedo.cli.benchmark_cmd import _jpeg, sample_path
    from comedo.errors import ComedoError
    from comedo.io import load_image

    parsed = urlparse(url)
    if parsed.scheme != "http" or not parsed.hostname or not is_loopback(parsed.hostname):
        print_error("--url must be http:// on a loopback address (127.0.0.1, localhost, ::1)")
        return 2
    try:
        pixels = load_image(image or sample_path()).pixels
    except ComedoError as exc:
        return error_code(exc)
    if not keep_size:
        pixels = cv2.resize(pixels, (640, 640), interpolation=cv2.INTER_AREA)
    photo = _jpeg(pixels)
    body, content_type = _multipart(photo, "load.jpg")
    headers = {"Content-Type": content_type}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds
    sent = [0]

    def client() -> None:
        conn = http.client.HTTPConnection(parsed.hostname, parsed.port or 80, timeout=60)
        while time.monotonic() < stop_at:
            with lock:
                if sent[0] >= max_requests:
                    return
                sent[0] += 1
            t = time.perf_counter()
            try:
                conn.request("POST", "/api/v1/analyses", body=body, headers=headers)
                response = conn.getresponse()
                payload = response.read()
                ok = response.status == 201 and json.loads(payload).get("id")
            except (OSError, http.client.HTTPException, ValueError) as exc:
                ok = False
                payload = str(exc).encode()
                conn.close()
                conn = http.client.HTTPConnection(parsed.hostname, parsed.port or 80, timeout=60)
            with lock:
                if ok:
                    latencies.append((time.perf_counter() - t) * 1000)
                else:
                    errors.append(payload[:120].decode(errors="replace"))
        conn.close()

    rss_before = server_rss_mb(parsed.hostname, parsed.port or 80, headers)
    started = time.monotonic()
    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    elapsed = time.monotonic() - started
    done = len(latencies)
    typer.echo(f"{clients} clients, {elapsed:.1f} s, {pixels.shape[1]}x{pixels.shape[0]} JPEG posts "
               f"({len(photo) / 1e6:.1f} MB) to {url}")
    rss_after = server_rss_mb(parsed.hostname, parsed.port or 80, headers)
    if rss_before is not None and rss_after is not None:
        typer.echo(f"server RSS: {rss_before:.0f} MB before, {rss_after:.0f} MB after")
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
