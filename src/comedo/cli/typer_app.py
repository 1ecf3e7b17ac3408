"""The CLI's one Typer class: commands and groups whose flags (``--help`` included) show no ``<bool>`` in the help:
click gives a flag a value placeholder it never takes."""

from __future__ import annotations

from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup

__all__ = ["ComedoTyper"]


def _plain(option: Any) -> Any:
    if option is not None:
        option.metavar = ""
    return option


class _Command(TyperCommand):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for param in self.params:
            if getattr(param, "is_flag", False):  # typer's options (it may bundle its own click)
                _plain(param)

    def get_help_option(self, ctx: Any) -> Any:
        return _plain(super().get_help_option(ctx))


class _Group(TyperGroup):
    def get_help_option(self, ctx: Any) -> Any:
        return _plain(super().get_help_option(ctx))


class ComedoTyper(typer.Typer):
    """``typer.Typer`` whose commands and groups are the classes above unless a caller names others."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("cls", _Group)
        super().__init__(**kwargs)

    def command(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("cls", _Command)
        return super().command(*args, **kwargs)
