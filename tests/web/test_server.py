"""The server as ``comedo serve`` runs it (``comedo.web.server``), on a free loopback port, spoken to over raw
sockets: a connection that never finishes its request is closed (slowloris), one that is slow but finishes is not,
and a busy port is one line before anything claims to be serving (issue 35, item 16)."""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from live_server import running
from typer.testing import CliRunner

from comedo.web.app import Settings

TIMEOUT_S = 1.0  # the test server's head and body clocks (serve's are 10 s and 30 s)


@pytest.fixture(scope="module")
def port() -> Iterator[int]:
    with running(Settings(preload_models=False), header_timeout=TIMEOUT_S, idle_timeout=TIMEOUT_S) as p:
        yield p


def _closed_after(sock: socket.socket, trickle: bytes | None, *, limit: float = 8.0) -> float | None:
    """Seconds until the server closes ``sock`` while we send ``trickle`` every 0.2 s (None: still open at
    ``limit``). Whatever the server says before closing is read and ignored."""
    start = time.monotonic()
    sock.settimeout(0.2)
    while time.monotonic() - start < limit:
        try:
            if trickle is not None:
                sock.sendall(trickle)
            if sock.recv(4096) == b"":
                return time.monotonic() - start
        except TimeoutError:
            continue
        except (ConnectionResetError, BrokenPipeError):
            return time.monotonic() - start
    return None


def _health(port: int) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        answer = b""
        while chunk := sock.recv(4096):
            answer += chunk
    return answer


def test_slowloris_is_closed(port: int) -> None:
    """A header line every 0.2 s, never the blank line that ends the head: closed at the head's deadline."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\n")
        after = _closed_after(sock, b"X-Padding: a\r\n")
    assert after is not None and after < TIMEOUT_S + 2, after
    assert _health(port).startswith(b"HTTP/1.1 200")  # the server is unharmed


def test_a_silent_connection_is_closed(port: int) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        after = _closed_after(sock, None)
    assert after is not None and after < TIMEOUT_S + 2, after


def test_a_stalled_body_is_closed_without_a_traceback(port: int) -> None:
    errors: list[logging.LogRecord] = []
    handler = logging.Handler(logging.ERROR)
    handler.emit = errors.append  # type: ignore[method-assign]
    logging.getLogger("uvicorn.error").addHandler(handler)
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            sock.sendall(b"POST /api/v1/triage HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                         b"Content-Length: 100\r\n\r\n{\"fever\": ")
            after = _closed_after(sock, None)
        assert _health(port).startswith(b"HTTP/1.1 200")
    finally:
        logging.getLogger("uvicorn.error").removeHandler(handler)
    assert after is not None and after < TIMEOUT_S + 2, after
    assert not errors, [r.getMessage() for r in errors]


def test_a_trickled_body_is_closed() -> None:
    """A byte every 0.2 s never pauses long enough for the idle clock; its average rate gives it away."""
    with running(Settings(preload_models=False), header_timeout=TIMEOUT_S, idle_timeout=TIMEOUT_S,
                  min_body_rate=100) as port, socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(b"POST /api/v1/triage HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 10000\r\n\r\n")
        after = _closed_after(sock, b" ")
    assert after is not None and after < TIMEOUT_S + 2, after


def test_a_slow_head_that_finishes_is_answered(port: int) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        for piece in (b"GET /api/v1/health HTTP/1.1\r\n", b"Host: localhost\r\n", b"Connection: close\r\n\r\n"):
            sock.sendall(piece)
            time.sleep(TIMEOUT_S / 4)
        assert sock.recv(4096).startswith(b"HTTP/1.1 200")


def test_an_analysis_longer_than_the_clocks_is_not_cut(sample_path: Path) -> None:
    """The clocks cover only the request's arrival: once the app has it, an analysis takes as long as it takes."""
    clock = 0.05
    photo = sample_path.read_bytes()
    body = (b"--b\r\nContent-Disposition: form-data; name=\"image\"; filename=\"f.jpg\"\r\n"
            b"Content-Type: image/jpeg\r\n\r\n" + photo + b"\r\n--b--\r\n")
    head = (f"POST /api/v1/analyses HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: {len(body)}"
            "\r\nContent-Type: multipart/form-data; boundary=b\r\n\r\n").encode()
    with running(Settings(preload_models=False), header_timeout=clock, idle_timeout=clock) as port:
        with socket.create_connection(("127.0.0.1", port), timeout=120) as sock:
            started = time.monotonic()
            sock.sendall(head + body)
            answer = sock.recv(4096)
            took = time.monotonic() - started
    assert answer.startswith(b"HTTP/1.1 201"), answer[:200]
    assert took > 2 * clock, took  # the answer did come after both clocks would have run out


def test_serve_on_a_busy_port_is_one_line() -> None:
    """It bound after printing "serving on" and loading the models, then exited 3 with uvicorn's log line."""
    from comedo.cli.main import app

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        taken = busy.getsockname()[1]
        result = CliRunner().invoke(app, ["serve", "--port", str(taken)], env={"COMEDO_TOKEN": ""})
    assert result.exit_code == 1, (result.exit_code, result.output)
    assert "serving on" not in result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("comedo: error: cannot listen on") and str(taken) in lines[0]


def test_serve_options_are_checked_before_binding() -> None:
    from comedo.cli.main import app

    runner = CliRunner()
    result = runner.invoke(app, ["serve", "--allowed-host", "comedo.lan"], env={"COMEDO_TOKEN": ""})
    assert result.exit_code == 2 and result.stderr.count("comedo: error:") == 1 and "--token" in result.stderr
    result = runner.invoke(app, ["serve", "--token", "t", "--allowed-host", "http://x/"])
    assert result.exit_code == 2 and result.stderr.count("comedo: error:") == 1


def test_serve_says_serving_once_it_answers(tmp_path: Path) -> None:
    """The real command in its own process: the line comes after the bind and the models, so the page answers at
    once; on its own name with a token, and not on another."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free = probe.getsockname()[1]
    env = {**os.environ, "COMEDO_DATA_DIR": str(tmp_path), "COMEDO_TOKEN": ""}
    command = [sys.executable, "-c", "from comedo.cli.main import main; main()", "serve", "--port", str(free),
               "--threads", "1"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True) as proc:
        watchdog = threading.Timer(120, proc.kill)  # a server that never says anything ends the read below
        watchdog.start()
        try:
            line = proc.stdout.readline() if proc.stdout else ""
            assert line.startswith(f"comedo: serving on http://127.0.0.1:{free}/"), line + proc.stderr.read()
            assert _health(free).startswith(b"HTTP/1.1 200")
        finally:
            watchdog.cancel()
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


def test_load_test_posts_comparisons_and_watches_health() -> None:
    """The load test's comparisons mode, small: the 12 x 49 MP measurement is a command (docs/web.md)."""
    from comedo.cli.main import app

    with running(Settings(preload_models=False, max_concurrent=1)) as port:
        result = CliRunner().invoke(app, ["load-test", "--url", f"http://127.0.0.1:{port}", "--route", "comparisons",
                                          "--clients", "2", "--max-requests", "2", "--megapixels", "0.2"])
    assert result.exit_code == 0, result.output
    assert "posted to /api/v1/comparisons (2 per request)" in result.stdout
    assert "requests: 2 ok, 0 errors" in result.stdout and "/health under load:" in result.stdout
    assert "server peak RSS since it started" in result.stdout
