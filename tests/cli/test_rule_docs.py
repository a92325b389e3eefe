"""The rule pages, on a fake registry (``tests/test_docs.py`` checks the real ones)."""

from __future__ import annotations

from pathlib import Path

from asyncdoctor.cli._docs import (
    GENERATED,
    index_page,
    page_name,
    render_pages,
    rule_page,
    stale_files,
    write_pages,
)

from .conftest import CATEGORIES, RULES


def test_rule_page() -> None:
    page = rule_page(RULES[0], CATEGORIES)
    assert page.startswith(
        "# ADC101 blocking-call\n\n"
        "**Category:** `blocking` (calls that block the event loop)\n\n"
        "A blocking call inside an async function.\n\n"
        "## What it does\n"
    )
    assert page.endswith("```\n")


def test_rule_page_without_doc_or_category_description() -> None:
    assert rule_page(RULES[3], {}) == (
        "# ADC301 task-reference\n\n**Category:** `tasks`\n\nA task nobody keeps a reference to.\n"
    )


def test_index_page_links_every_rule() -> None:
    index = index_page(RULES, CATEGORIES)
    assert "| [ADC101](ADC101-blocking-call.md) | `blocking-call` | blocking |" in index
    assert index.count("](ADC") == len(RULES)
    assert "- `coroutines`: coroutines that are created but never run" in index


def test_write_pages_writes_updates_and_removes_stale_generated_pages(tmp_path: Path) -> None:
    pages = render_pages(RULES, CATEGORIES)
    assert set(pages) == {page_name(info) for info in RULES} | {"index.md"}
    assert all(content.startswith(GENERATED) for content in pages.values())

    assert write_pages(tmp_path, pages) == sorted(pages)
    assert stale_files(tmp_path, pages) == []
    assert write_pages(tmp_path, pages) == []

    (tmp_path / "ADC101-blocking-call.md").write_text("edited by hand\n", encoding="utf-8")
    (tmp_path / "ADC999-gone.md").write_text(f"{GENERATED}\n\nold\n", encoding="utf-8")
    (tmp_path / "notes.md").write_text("not generated\n", encoding="utf-8")
    assert stale_files(tmp_path, pages) == ["ADC101-blocking-call.md", "ADC999-gone.md"]
    write_pages(tmp_path, pages)
    assert not (tmp_path / "ADC999-gone.md").exists()
    assert (tmp_path / "notes.md").exists()
    assert stale_files(tmp_path, pages) == []
