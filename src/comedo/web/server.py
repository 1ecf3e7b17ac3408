"""Running the app under uvicorn: listening sockets bound before anything else, and connections that cannot be
held open forever.

uvicorn's HTTP/1.1 protocol (h11) times out only a keep-alive connection that is idle after a response: a
connection that never finishes its request head (slowloris: a header line every few seconds) or stops sending its
body holds a socket and a task for good. ``guarded_protocol`` adds the two missing clocks: a request head must
arrive whole within ``header_timeout`` of its first byte (or of the connection opening), and a body may not pause
for longer than ``idle_timeout`` nor, past its first ``idle_timeout``, average under ``min_body_rate`` bytes/s (a
body trickled a byte at a time), unless the server itself stopped reading. Once the app has the request there is
no clock: an analysis takes as long as it takes.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable
from typing import Any

import h11
from uvicorn import Config, Server
from uvicorn.protocols.http.h11_impl import H11Protocol

__all__ = ["HEADER_TIMEOUT_S", "IDLE_TIMEOUT_S", "KEEP_ALIVE_S", "MAX_HEAD_BYTES", "MIN_BODY_RATE", "bind",
           "guarded_protocol", "server"]

HEADER_TIMEOUT_S = 10.0  # a browser sends its request head in one packet; 10 s is generous on a slow phone link
IDLE_TIMEOUT_S = 30.0  # the longest pause inside an upload's body
MIN_BODY_RATE = 1024.0  # bytes/s a body must average after its first IDLE_TIMEOUT_S (a 2G phone link does 20x)
KEEP_ALIVE_S = 5  # an idle connection after a response (uvicorn's own clock)
MAX_HEAD_BYTES = 16 * 1024  # request line and headers; h11 answers 400 past it


class _GuardedH11(H11Protocol):
    header_timeout = HEADER_TIMEOUT_S
    idle_timeout = IDLE_TIMEOUT_S
    min_body_rate = MIN_BODY_RATE

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._timer: asyncio.TimerHandle | None = None
        self._head_since: float | None = self.loop.time()  # the first request's clock starts on connect
        self._last_data = self.loop.time()
        self._body_since: float | None = None
        self._body_bytes = 0
        self._watch()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        self._last_data = self.loop.time()
        if self._head_since is None and self.conn.their_state is h11.IDLE:
            self._head_since = self._last_data  # a next request on a kept-alive connection begins
        if self.conn.their_state is h11.SEND_BODY:
            self._body_bytes += len(data)
        super().data_received(data)
        self._watch()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._head_since = None  # idle until the next request: uvicorn's keep-alive clock
        self._watch()

    def _due(self) -> float | None:
        """When the connection must have made progress by, or None when no clock runs."""
        if self.transport.is_closing():
            return None
        state = self.conn.their_state
        if state is h11.IDLE and self._head_since is not None:
            return self._head_since + self.header_timeout
        if state is h11.SEND_BODY and self._body_since is not None:
            # Each byte buys 1 / min_body_rate seconds beyond the first idle_timeout.
            return min(self._last_data + self.idle_timeout,
                       self._body_since + self.idle_timeout + self._body_bytes / self.min_body_rate)
        return None

    def _watch(self) -> None:
        self._cancel()
        state = self.conn.their_state
        if state is not h11.IDLE:
            self._head_since = None  # the head is in: its clock stops
        if state is not h11.SEND_BODY:
            self._body_since = None
        elif self._body_since is None:
            self._body_since, self._body_bytes = self.loop.time(), 0
        due = self._due()
        if due is not None:
            self._timer = self.loop.call_at(due, self._expired)

    def _cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _expired(self) -> None:
        self._timer = None
        if self.conn.their_state is h11.SEND_BODY and self.flow.read_paused:
            # The server stopped reading, not the client: the body's clocks start again.
            self._last_data = self._body_since = self.loop.time()
            self._body_bytes = 0
        due = self._due()
        if due is None:
            return
        if due > self.loop.time():
            self._timer = self.loop.call_at(due, self._expired)
            return
        self.logger.debug("closing a connection that sent no complete request in time: %s", self.client)
        self.transport.close()


def guarded_protocol(*, header_timeout: float = HEADER_TIMEOUT_S, idle_timeout: float = IDLE_TIMEOUT_S,
                     min_body_rate: float = MIN_BODY_RATE) -> type[H11Protocol]:
    """uvicorn's h11 protocol with a deadline for each request head and limits on how a body may trickle."""
    return type("GuardedH11", (_GuardedH11,), {"header_timeout": header_timeout, "idle_timeout": idle_timeout,
                                               "min_body_rate": min_body_rate})


def bind(host: str, port: int, *, backlog: int = 2048) -> list[socket.socket]:
    """Listening sockets for ``host:port`` (both loopback families for ``localhost``), bound before the models load
    so that a busy port fails at once with ``OSError`` (or ``socket.gaierror`` for an unknown name)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    addresses = list(dict.fromkeys((family, address) for family, _, _, _, address in infos))
    sockets: list[socket.socket] = []
    try:
        for family, address in addresses:
            sock = socket.socket(family, socket.SOCK_STREAM)
            sockets.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # not a port in use: one in TIME_WAIT
            if family == socket.AF_INET6 and len(addresses) > 1:
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            sock.bind(address)
            sock.listen(backlog)  # connections made while the models load wait in the backlog
    except OSError:
        for sock in sockets:
            sock.close()
        raise
    return sockets


class _AnnouncingServer(Server):
    """A uvicorn server that says it is serving once it is: after the lifespan (models loaded) and the listeners."""

    def __init__(self, config: Config, on_started: Callable[[], None] | None) -> None:
        super().__init__(config)
        self.on_started = on_started

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started and self.on_started is not None:
            self.on_started()


def server(app: Any, *, host: str, port: int, on_started: Callable[[], None] | None = None,
           header_timeout: float = HEADER_TIMEOUT_S, idle_timeout: float = IDLE_TIMEOUT_S,
           min_body_rate: float = MIN_BODY_RATE, log_level: str = "warning") -> Server:
    """The uvicorn server ``comedo serve`` runs (``.run(sockets=bind(host, port))``), with the connection limits
    above; tests start the same one on a free loopback port."""
    config = Config(app, host=host, port=port, log_level=log_level, http=guarded_protocol(
        header_timeout=header_timeout, idle_timeout=idle_timeout, min_body_rate=min_body_rate),
        timeout_keep_alive=KEEP_ALIVE_S,
        h11_max_incomplete_event_size=MAX_HEAD_BYTES)
    return _AnnouncingServer(config, on_started)
