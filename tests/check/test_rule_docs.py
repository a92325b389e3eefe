"""Every rule is well-formed and documented, and its documented examples are true.

For each registered rule:

* ``code``/``name``/``category``/``summary`` are well-formed and unique;
* the docstring has ruff's sections, in order: *What it does*, *Why is this
  bad?*, *Example*, *Use instead*, (optionally *Options*), *Fix safety*;
* the ```python block of *Example* is reported by that rule and by no other,
  and the block(s) of *Use instead* are reported by no rule at all;
* the code is in ``CHANGELOG.md`` and in the generated pages of ``docs/rules/``.
"""

from __future__ import annotations

import ast
import re
import warnings
from collections import Counter
from pathlib import Path

import pytest

from asyncdoctor.check import RuleInfo, all_rules, check_source, get_rule
from asyncdoctor.check.rules._base import CATEGORIES

REPO = Path(__file__).resolve().parents[2]
RULES: tuple[RuleInfo, ...] = all_rules()

REQUIRED = ("What it does", "Why is this bad?", "Example", "Use instead", "Fix safety")
OPTIONAL = frozenset({"Options"})
CODE = re.compile(r"ADC\d{3}")
KEBAB = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")
HEADING = re.compile(r"^## (?P<title>.+?)\s*$", re.M)
PYTHON_BLOCK = re.compile(r"^```python[ \t]*\n(?P<code>.*?)^```[ \t]*$", re.M | re.S)
ANY_FENCE = re.compile(r"^```", re.M)


def by_code(param: RuleInfo) -> str:
    return param.code


def sections(doc: str) -> list[tuple[str, str]]:
    """The ``## Title`` sections of a doc, in order, with their bodies."""
    heads = list(HEADING.finditer(doc))
    out: list[tuple[str, str]] = []
    for i, m in enumerate(heads):
        end = heads[i + 1].start() if i + 1 < len(heads) else len(doc)
        out.append((m.group("title"), doc[m.end():end]))
    return out


def section(rule: RuleInfo, title: str) -> str:
    matches = [body for t, body in sections(rule.doc) if t == title]
    assert len(matches) == 1, f"{rule.code}: expected exactly one '## {title}' section"
    return matches[0]


def python_blocks(body: str) -> list[str]:
    return [m.group("code") for m in PYTHON_BLOCK.finditer(body)]


def run(source: str) -> list[tuple[int, str]]:
    # The docs are rendered outside any test configuration: check them as the CLI would.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return [(f.line, f.code) for f in check_source(source)]


def test_there_are_rules() -> None:
    assert len(RULES) >= 4
    assert [r.code for r in RULES] == sorted(r.code for r in RULES), "all_rules() is sorted by code"


def test_codes_and_names_are_unique() -> None:
    codes = Counter(r.code for r in RULES)
    names = Counter(r.name for r in RULES)
    assert [c for c, n in codes.items() if n > 1] == []
    assert [c for c, n in names.items() if n > 1] == []
    # A name must not be mistaken for a category or a code by the selectors.
    assert not {r.name for r in RULES} & set(CATEGORIES)


@pytest.mark.parametrize("rule", RULES, ids=by_code)
def test_identity_is_well_formed(rule: RuleInfo) -> None:
    assert CODE.fullmatch(rule.code), f"code {rule.code!r} is not ADC followed by 3 digits"
    assert KEBAB.fullmatch(rule.name), f"name {rule.name!r} is not kebab-case"
    assert rule.category in CATEGORIES, f"category {rule.category!r} not in {sorted(CATEGORIES)}"
    assert rule.summary.strip() == rule.summary and rule.summary, "summary is empty or padded"
    assert "\n" not in rule.summary, "summary is one line"
    assert get_rule(rule.code) == rule and get_rule(rule.name) == rule


@pytest.mark.parametrize("rule", RULES, ids=by_code)
def test_doc_has_the_sections_in_order(rule: RuleInfo) -> None:
    titles = [t for t, _ in sections(rule.doc)]
    assert rule.doc.startswith("## What it does"), f"{rule.code}: the doc must start with '## What it does'"
    unknown = [t for t in titles if t not in REQUIRED and t not in OPTIONAL]
    assert unknown == [], f"{rule.code}: unexpected sections {unknown}"
    assert [t for t in titles if t in REQUIRED] == list(REQUIRED), (
        f"{rule.code}: sections are {titles}, expected {list(REQUIRED)} in this order"
    )
    for title, body in sections(rule.doc):
        assert body.strip(), f"{rule.code}: section '## {title}' is empty"
        assert len(ANY_FENCE.findall(body)) % 2 == 0, f"{rule.code}: unbalanced ``` in '## {title}'"


@pytest.mark.parametrize("rule", RULES, ids=by_code)
def test_example_is_reported_by_this_rule_only(rule: RuleInfo) -> None:
    blocks = python_blocks(section(rule, "Example"))
    assert len(blocks) == 1, f"{rule.code}: '## Example' needs exactly one ```python block"
    source = blocks[0]
    ast.parse(source)  # valid Python, or the docs lie
    found = run(source)
    assert {code for _, code in found} == {rule.code}, (
        f"{rule.code}: the Example must be reported by {rule.code} and nothing else, got {found}"
    )


@pytest.mark.parametrize("rule", RULES, ids=by_code)
def test_use_instead_is_clean(rule: RuleInfo) -> None:
    blocks = python_blocks(section(rule, "Use instead"))
    assert blocks, f"{rule.code}: '## Use instead' needs a ```python block"
    for source in blocks:
        ast.parse(source)
        assert run(source) == [], f"{rule.code}: the 'Use instead' code must not be reported"


@pytest.mark.parametrize("rule", RULES, ids=by_code)
def test_other_sections_hold_no_python_block(rule: RuleInfo) -> None:
    # The docs generator and the two tests above only look at Example/Use instead:
    # a ```python block elsewhere would be shown to users without being checked.
    for title, body in sections(rule.doc):
        if title not in ("Example", "Use instead"):
            assert python_blocks(body) == [], f"{rule.code}: ```python block in '## {title}'"


@pytest.mark.parametrize("rule", RULES, ids=by_code)
def test_rule_is_in_the_changelog(rule: RuleInfo) -> None:
    changelog = REPO / "CHANGELOG.md"
    assert changelog.is_file(), "CHANGELOG.md is missing"
    assert re.search(rf"\b{rule.code}\b", changelog.read_text(encoding="utf-8")), (
        f"{rule.code} ({rule.name}) is not mentioned in CHANGELOG.md"
    )


@pytest.mark.parametrize("rule", RULES, ids=by_code)
def test_rule_has_a_docs_page(rule: RuleInfo) -> None:
    pages = sorted((REPO / "docs" / "rules").rglob("*.md"))
    assert pages, "docs/rules/ has no page"
    hits = [p for p in pages if re.search(rf"\b{rule.code}\b", p.read_text(encoding="utf-8"))]
    assert hits, f"{rule.code} ({rule.name}) appears in no page of docs/rules/"
