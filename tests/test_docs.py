"""The rule pages in docs/rules/ are generated from the rules and must not drift.

Regenerate them with ``python -m asyncdoctor.cli._docs`` (from the repository
root) after changing a rule.
"""

from __future__ import annotations

from pathlib import Path

from asyncdoctor.check.rules import CATEGORIES, all_rules
from asyncdoctor.cli._docs import render_pages, stale_files

DOCS = Path(__file__).parents[1] / "docs" / "rules"


def test_rule_pages_are_up_to_date() -> None:
    # needs engine (the real rules)
    stale = stale_files(DOCS, render_pages(all_rules(), CATEGORIES))
    assert not stale, (
        f"docs/rules/ is out of date ({', '.join(stale)}); "
        "run `python -m asyncdoctor.cli._docs` from the repository root"
    )
