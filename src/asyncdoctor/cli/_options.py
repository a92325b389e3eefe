"""Option values shared by the sub-commands: argparse ``type=`` converters and checks.

A converter raises :class:`argparse.ArgumentTypeError` (argparse turns it into
``argument --x: message``); a check made in a handler raises
:class:`._errors.UsageError`.  Either way the user sees one line and exit code 2.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from ._errors import UsageError

__all__ = ["check_writable", "header", "http_method", "levels", "positive_int", "read_body"]


def positive_int(text: str) -> int:
    """A whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def levels(text: str) -> tuple[int, ...]:
    """Comma-separated concurrency levels, each at least 1, duplicates dropped, order kept."""
    found = []
    for item in text.split(","):
        if not item.strip():
            continue
        try:
            level = int(item)
        except ValueError:
            raise argparse.ArgumentTypeError(f"'{item.strip()}' is not a whole number") from None
        if level < 1:
            raise argparse.ArgumentTypeError(f"concurrency levels must be at least 1, got {level}")
        found.append(level)
    if not found:
        raise argparse.ArgumentTypeError("expected comma-separated concurrency levels")
    return tuple(dict.fromkeys(found))


def header(text: str) -> tuple[str, str]:
    """``'Name: value'`` as ``(name, value)``."""
    name, colon, value = text.partition(":")
    name = name.strip()
    if not colon or not name or any(c.isspace() for c in name):
        raise UsageError(f"header '{text}' is not of the form 'Name: value'")
    return name, value.strip()


def http_method(text: str) -> str:
    """An HTTP method (an RFC 9110 token: letters, digits and a few symbols), upper-cased."""
    method = text.upper()
    if not method or not all(
        c.isascii() and (c.isalnum() or c in "!#$%&'*+-.^_`|~") for c in method
    ):
        raise UsageError(f"'{text}' is not an HTTP method")
    return method


def read_body(text: str, option: str = "--data") -> bytes:
    """A request body: the text itself, or the bytes of ``@FILE``."""
    if not text.startswith("@"):
        return text.encode()
    path = Path(text[1:])
    try:
        return path.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read {option} file '{path}': {exc.strerror or exc}") from None


def check_writable(path: Path, option: str) -> None:
    """Fail now, not after a long measurement, when ``path`` cannot be written."""
    if path.is_dir():
        raise UsageError(f"{option} '{path}' is a directory")
    if not path.parent.resolve().is_dir():
        raise UsageError(f"{option} '{path}': directory '{path.parent}' does not exist")
    if not os.access(path if path.exists() else path.parent, os.W_OK):
        raise UsageError(f"{option} '{path}': permission denied")
