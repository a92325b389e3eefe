"""The one exception every sub-command raises for a usage or input error."""

from __future__ import annotations

__all__ = ["UsageError"]


class UsageError(Exception):
    """Bad command-line usage or input; the message is one line, printed as ``asyncdoctor: ...``
    with exit code 2."""
