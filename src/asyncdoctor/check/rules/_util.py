"""Small helpers shared by the rules."""

from __future__ import annotations

from .._analysis import CallSite, FileSummary
from .._index import ProjectIndex, ProjectReport, Value

__all__ = ["display_name", "site_report"]


def display_name(index: ProjectIndex, value: Value) -> str:
    """How to name a callee in a message: ``Client.fetch``, ``requests.get``."""
    return index.short_name(value)


def site_report(summary: FileSummary, code: str, site: CallSite, message: str,
                chain: tuple[str, ...] = ()) -> ProjectReport:
    return ProjectReport(summary.path, code, site.line, site.col, site.end_line, site.end_col, message, chain)
