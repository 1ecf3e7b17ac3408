"""Who may talk to the server, and the headers every answer carries.

``SecurityHeaders`` wraps the whole app (``create_app`` puts it outside Starlette's own error middleware), so every
answer, refusals and 500s included, carries the Content-Security-Policy, nosniff, frame and referrer policies.
Inside it ``RequestGuard`` checks, in this order:

1. **Host** (400 ``host_not_allowed``). A page on another site can point its own name at 127.0.0.1 (DNS rebinding)
   and then read this server as if it were its own origin; the browser still sends that page's name as Host. So
   the server answers only to the names it was given: without a token, ``localhost``, ``127.0.0.1`` and ``[::1]``.
2. **Cross-site writes** (403 ``cross_site_request``). Any page the user visits can send a form POST here (no
   preflight for multipart); the browser names that page in ``Origin`` and ``Sec-Fetch-Site``. A request other than
   GET/HEAD whose Origin is not this server's own, or that the browser marks cross-site (or same-site from another
   origin, such as another port on localhost), is refused. Requests without those headers (curl, scripts, the
   CLI) are not browsers' cross-site requests and pass.
3. **Token** (401 ``unauthorized``), when one is set, on every route but the health check.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qs, urlsplit

from starlette.requests import cookie_parser

from comedo.web.errors import send_error
from comedo.web.limits import CSP

__all__ = ["LOOPBACK_HOSTS", "RequestGuard", "SecurityHeaders", "host_name"]

LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "[::1]")
SAFE_METHODS = frozenset({"GET", "HEAD"})
DEFAULT_PORTS = {"http": 80, "https": 443}
# A Host header: a name, an IPv4 address or a bracketed IPv6 address, then an optional port.
_HOST = re.compile(r"(?P<name>\[[0-9a-f:.]+\]|[a-z0-9._-]+)(?::(?P<port>[0-9]{1,5}))?")
_HEADERS = [(b"content-security-policy", CSP.encode()), (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"no-referrer"), (b"x-frame-options", b"DENY")]


def host_name(value: str) -> tuple[str, int | None] | None:
    """``(name, port)`` of a Host header (``localhost:8000``, ``[::1]``), lower-case; None when it is not one.
    A bare IPv6 address (``::1``, as ``--host`` takes it) is put in brackets."""
    value = value.strip().lower()
    if value.count(":") > 1 and not value.startswith("["):
        value = f"[{value}]"
    match = _HOST.fullmatch(value)
    if match is None:
        return None
    port = match["port"]
    return match["name"], int(port) if port else None


class SecurityHeaders:
    """ASGI middleware: adds the security headers to every response that does not set its own (the standalone
    report sets a stricter CSP)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: dict) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers") or [])
                present = {name.lower() for name, _ in headers}
                headers += [(name, value) for name, value in _HEADERS if name not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)


class RequestGuard:
    """ASGI middleware: Host, then cross-site writes, then the token (see the module's docstring)."""

    def __init__(self, app: Any, *, allowed_hosts: Iterable[str], token: str | None) -> None:
        self.app, self.token = app, token
        names = {host_name(h) for h in allowed_hosts}
        self.allowed = {n[0] for n in names if n is not None}

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers: dict[str, str] = {}
        for name, value in scope["headers"]:
            key = name.decode("latin-1").lower()
            # Two Host headers could be read differently by a proxy and by us: neither is taken.
            headers[key] = "" if key == "host" and key in headers else headers.get(key, value.decode("latin-1"))
        refusal = self.check_host(headers) or self.check_site(scope, headers) or self.check_token(scope, headers)
        if refusal is not None:
            await send_error(send, *refusal)
            return
        await self.app(scope, receive, send)

    def check_host(self, headers: dict[str, str]) -> tuple[int, str, str] | None:
        given = headers.get("host", "")
        parsed = host_name(given)
        if parsed is not None and parsed[0] in self.allowed:
            return None
        names = ", ".join(sorted(self.allowed))
        return (400, "host_not_allowed",
                f"Host {given[:80]!r} is not a name this server answers to ({names}); "
                "give the names it is reached by with --allowed-host (with --token)")

    def check_site(self, scope: dict, headers: dict[str, str]) -> tuple[int, str, str] | None:
        if scope["method"] in SAFE_METHODS:
            return None
        origin, site = headers.get("origin"), headers.get("sec-fetch-site", "").strip().lower()
        own = origin is not None and _same_origin(origin, scope.get("scheme", "http"), headers.get("host", ""))
        if site == "cross-site" or (origin is not None and not own) or (site == "same-site" and not own):
            where = origin if origin is not None else f"a {site} page"
            return (403, "cross_site_request",
                    f"{scope['method']} from {where[:80]!r} refused: this server takes writes only from its own "
                    "page (or from clients that are not browsers)")
        return None

    def check_token(self, scope: dict, headers: dict[str, str]) -> tuple[int, str, str] | None:
        if self.token is None or scope["path"] == "/api/v1/health":
            return None
        header = headers.get("authorization", "")
        given = header[7:] if header.lower().startswith("bearer ") else \
            cookie_parser(headers.get("cookie", "")).get("comedo_token", "")
        given = given or parse_qs(scope.get("query_string", b"").decode("latin-1")).get("token", [""])[0]
        if secrets.compare_digest(given.encode(), self.token.encode()):
            return None
        return 401, "unauthorized", "a valid token is required (Authorization: Bearer TOKEN)"


def _same_origin(origin: str, scheme: str, host: str) -> bool:
    """Whether ``origin`` (from the Origin header) is this server as the request reached it."""
    try:
        parts = urlsplit(origin.strip().lower())
        origin_port = parts.port
    except ValueError:
        return False
    own = host_name(host)
    if own is None or parts.scheme not in DEFAULT_PORTS or not parts.netloc:
        return False
    origin_host = host_name(parts.netloc)
    if origin_host is None:
        return False
    return (parts.scheme == scheme and origin_host[0] == own[0]
            and (origin_port or DEFAULT_PORTS[parts.scheme]) == (own[1] or DEFAULT_PORTS[scheme]))
