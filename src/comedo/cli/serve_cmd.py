"""``comedo serve``: loopback by default; any other address needs a token."""

from __future__ import annotations

import ipaddress

import typer

from comedo.cli.errors import print_error


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def run_serve(*, host: str, port: int, token: str | None, workers: int, threads: int | None = None) -> int:
    if not is_loopback(host) and not token:
        print_error(f"binding to {host} exposes the server beyond this machine; "
                    "give --token or set COMEDO_TOKEN")
        return 2
    import os

    import uvicorn

    from comedo.web.app import Settings, create_app

    threads = threads or max(1, (os.cpu_count() or 1) // workers)
    app = create_app(Settings(token=token, max_concurrent=workers, threads=threads))
    where = f"http://{host if ':' not in host else f'[{host}]'}:{port}/"
    typer.echo(f"comedo: serving on {where}" + (f"?token={token}" if token else "") + "  (Ctrl+C to stop)")
    uvicorn.run(app, host=host, port=port, log_level="warning")
    return 0
