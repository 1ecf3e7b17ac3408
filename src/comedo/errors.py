"""The errors comedo raises. Callers catch ``ComedoError``; the CLI maps each to
a one-line message and an exit code, the web app to a 4xx/5xx body."""

from __future__ import annotations

__all__ = ["ComedoError", "InvalidInputError", "ImageTooLargeError", "NoSkinError", "ModelError", "StoreError"]


class ComedoError(Exception):
    """Base class: every error comedo raises on purpose."""

    exit_code = 1


class InvalidInputError(ComedoError, ValueError):
    """The input is not something comedo can read (empty, truncated, not an image, bad option)."""

    exit_code = 2


class ImageTooLargeError(InvalidInputError):
    """The file or its decoded pixel count is over the configured limit."""


class NoSkinError(ComedoError):
    """Raised only by callers that require skin; the pipeline itself reports a quality flag."""


class ModelError(ComedoError):
    """A shipped model is missing, corrupt (sha256 mismatch) or failed to run."""


class StoreError(ComedoError):
    """The history store could not be read or written."""
