"""``comedo serve``: loopback by default; any other address needs a token. The port is bound before the models
load and before "serving on" is printed, so a busy port is one line and a non-zero exit."""

from __future__ import annotations

import errno
import ipaddress
import socket

import typer

from comedo.cli.errors import print_error

WILDCARDS = ("0.0.0.0", "::")


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def default_hosts(host: str) -> list[str]:
    """The names a server with a token answers to when no ``--allowed-host`` is given: the bound name, the
    loopback names where the server is reachable through loopback, and this machine's name on a wildcard bind."""
    from comedo.web.guard import LOOPBACK_HOSTS

    names = [] if host in WILDCARDS else [host]
    if host in WILDCARDS or is_loopback(host):
        names += LOOPBACK_HOSTS
    if host in WILDCARDS:
        names += [socket.gethostname()]
    return names


def run_serve(*, host: str, port: int, token: str | None, workers: int, threads: int | None = None,
              allowed_hosts: list[str] | None = None) -> int:
    token = token or None  # COMEDO_TOKEN="" is no token
    if not is_loopback(host) and not token:
        print_error(f"binding to {host} exposes the server beyond this machine; "
                    "give --token or set COMEDO_TOKEN")
        return 2
    from comedo.web.guard import LOOPBACK_HOSTS, host_name

    if allowed_hosts and not token:
        print_error(f"--allowed-host needs --token: without one the server answers only to "
                    f"{', '.join(LOOPBACK_HOSTS)}")
        return 2
    bad = [h for h in allowed_hosts or [] if host_name(h) is None]
    if bad:
        print_error(f"--allowed-host: {bad[0]!r} is not a host name or address")
        return 2
    import os

    from comedo.web.server import bind, server

    where = f"http://{host if ':' not in host else f'[{host}]'}:{port}/"
    try:
        sockets = bind(host, port)
    except socket.gaierror as exc:
        print_error(f"cannot listen on {where}: {host!r} is not an address of this machine ({exc.strerror})")
        return 2
    except OSError as exc:
        busy = " (another server is using it; choose another with --port)" if exc.errno == errno.EADDRINUSE else ""
        print_error(f"cannot listen on {where}: {exc.strerror or exc}{busy}")
        return 1

    from comedo.web.app import Settings, create_app

    threads = threads or max(1, (os.cpu_count() or 1) // workers)
    hosts = tuple(allowed_hosts or (default_hosts(host) if token else LOOPBACK_HOSTS))
    app = create_app(Settings(token=token, allowed_hosts=hosts, max_concurrent=workers, threads=threads))

    def announce() -> None:
        typer.echo(f"comedo: serving on {where}" + (f"?token={token}" if token else "") + "  (Ctrl+C to stop)")

    try:
        server(app, host=host, port=port, on_started=announce).run(sockets=sockets)
    finally:
        for sock in sockets:
            sock.close()
    return 0
