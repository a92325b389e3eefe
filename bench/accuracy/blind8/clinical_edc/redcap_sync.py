"""Thin wrapper over PyCap (sync, requests-based).

The nightly export cron (`python -m clinical_edc.export`) uses the same helpers.
"""
from __future__ import annotations

import functools
import os

from redcap import Project

REDCAP_URL = os.environ.get("REDCAP_URL", "https://redcap.example-hospital.org/api/")


@functools.lru_cache(maxsize=1)
def _project() -> Project:
    return Project(REDCAP_URL, os.environ["REDCAP_TOKEN"])


def import_visit(record: dict) -> dict:
    """Push one visit form; REDCap answers with the number of records written."""
    return _project().import_records([record], overwrite="normal", return_content="count")


def export_form(form: str, record_ids: list[str]) -> list[dict]:
    return _project().export_records(forms=[form], records=record_ids, format_type="json")


def site_of(record_id: str) -> str:
    # record ids look like "014-0032": site 014, subject 0032
    return record_id.split("-", 1)[0]
