"""Fixture files are the tests: every expected finding is marked on its line.

A line that must be reported carries a trailing ``# error: CODE`` comment
(several codes separated by commas); one that must be reported only with
``--preview`` (weaker evidence) carries ``# preview: CODE``. Each file is
checked twice, without and with ``--preview``, and each run compares the
*exact* set of (line, code) pairs reported with the set marked, so a
fixture catches both a missed problem and a false alarm of any rule.

* ``fixtures/single/*.py``: one file checked on its own.
* ``fixtures/projects/<name>/``: a small project checked as a whole, for
  what crosses modules (imports, packages, inherited methods).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from asyncdoctor.check import Config, check_paths

FIXTURES = Path(__file__).parent / "fixtures"
MARK = re.compile(r"#\s*(?P<kind>error|preview):\s*(?P<codes>[A-Z]+[0-9]+(?:\s*,\s*[A-Z]+[0-9]+)*)")


def expected_marks(path: Path, root: Path | None = None, *, preview: bool = False
                   ) -> set[tuple[str, int, str]]:
    name = path.relative_to(root).as_posix() if root else path.name
    out: set[tuple[str, int, str]] = set()
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        for m in MARK.finditer(line):
            if m.group("kind") == "preview" and not preview:
                continue
            for code in re.split(r"\s*,\s*", m.group("codes")):
                out.add((name, lineno, code))
    return out


def run_on(target: Path, *, preview: bool = False) -> set[tuple[str, int, str]]:
    root = target if target.is_dir() else target.parent
    config = Config(root=root, cache=False, respect_gitignore=False, preview=preview)
    result = check_paths([target], config)
    assert not result.errors, result.errors
    def rel(p: str) -> str:
        return Path(p).resolve().relative_to(root.resolve()).as_posix() if target.is_dir() else Path(p).name

    return {(rel(f.path), f.line, f.code) for f in result.findings}


def _single_cases() -> list[Path]:
    return sorted((FIXTURES / "single").glob("*.py"))


def _project_cases() -> list[Path]:
    return sorted(p for p in (FIXTURES / "projects").iterdir() if p.is_dir())


@pytest.mark.parametrize("preview", [False, True], ids=["default", "preview"])
@pytest.mark.parametrize("path", _single_cases(), ids=lambda p: p.stem)
def test_single_file_fixture(path: Path, preview: bool) -> None:
    assert sorted(run_on(path, preview=preview)) == sorted(expected_marks(path, preview=preview))


@pytest.mark.parametrize("preview", [False, True], ids=["default", "preview"])
@pytest.mark.parametrize("project", _project_cases(), ids=lambda p: p.name)
def test_project_fixture(project: Path, preview: bool) -> None:
    expected: set[tuple[str, int, str]] = set()
    for file in project.rglob("*.py"):
        expected |= expected_marks(file, project, preview=preview)
    assert sorted(run_on(project, preview=preview)) == sorted(expected)


@pytest.mark.parametrize("project", _project_cases(), ids=lambda p: p.name)
def test_project_fixture_from_the_cache(project: Path, tmp_path: Path) -> None:
    # What a file's summary carries across modules (class attributes, the items of
    # typed containers, keyed values...) must survive the cache: a second run, served
    # from it, finds exactly what the first did.
    config = Config(root=project, cache=True, cache_dir=tmp_path / "cache", respect_gitignore=False)
    first = check_paths([project], config)
    second = check_paths([project], config)
    assert second.files_from_cache == second.files_checked
    assert [(f.path, f.line, f.code, f.message) for f in second.findings] == [
        (f.path, f.line, f.code, f.message) for f in first.findings
    ]
    assert {(Path(f.path).resolve().relative_to(project.resolve()).as_posix(), f.line, f.code)
            for f in second.findings} == {
        mark for file in project.rglob("*.py") for mark in expected_marks(file, project)
    }


def test_every_rule_has_positive_and_negative_fixtures() -> None:
    from asyncdoctor.check import all_rules

    marked: set[str] = set()
    for path in [*_single_cases(), *(f for p in _project_cases() for f in p.rglob("*.py"))]:
        marked |= {code for _, _, code in expected_marks(path)}
    names = {p.stem for p in _single_cases()}
    for rule in all_rules():
        assert rule.code in marked, f"{rule.code} has no fixture line marked '# error: {rule.code}'"
        stem = rule.name.replace("-", "_")
        assert f"{stem}_ok" in names, f"{rule.code} needs a negative fixture single/{stem}_ok.py"
