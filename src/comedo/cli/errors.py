"""How every command reports an error: one line on stderr, then an exit code."""

from __future__ import annotations

import typer

from comedo.errors import ComedoError

__all__ = ["print_error", "error_code"]


def print_error(message: object) -> None:
    typer.echo(f"comedo: error: {message}", err=True)


def error_code(exc: ComedoError) -> int:
    """Report ``exc`` and return its exit code (2 for bad input, 1 otherwise)."""
    print_error(exc)
    return exc.exit_code
