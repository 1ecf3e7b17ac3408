"""A real server on a free loopback port, served as ``comedo serve`` serves (``comedo.web.server``: its bound
sockets and connection clocks), in a thread of the test process; shared by the server and browser tests."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator

from comedo.web.app import Settings, create_app
from comedo.web.server import bind, server


@contextlib.contextmanager
def running(settings: Settings, **timeouts: float) -> Iterator[int]:
    """The port of a server for ``settings`` (``timeouts``: ``server``'s connection clocks), stopped afterwards."""
    sockets = bind("127.0.0.1", 0)
    port = sockets[0].getsockname()[1]
    srv = server(create_app(settings), host="127.0.0.1", port=port, **timeouts)
    thread = threading.Thread(target=srv.run, kwargs={"sockets": sockets}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not srv.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the server did not start"
        time.sleep(0.02)
    try:
        yield port
    finally:
        srv.should_exit = True
        thread.join(timeout=10)
        for sock in sockets:
            sock.close()
