"""Rule selectors: select, extend-select, ignore and per-file-ignores."""

from __future__ import annotations

from pathlib import Path

import pytest

from asyncdoctor.check._config import Config, ConfigError
from asyncdoctor.check._selection import codes_ignored_for, selected_codes

from .conftest import RULES

ALL = frozenset({"ADC101", "ADC102", "ADC201", "ADC301"})


def codes(**settings: object) -> frozenset[str]:
    return selected_codes(Config(root=Path("/proj"), **settings), rules=RULES)  # type: ignore[arg-type]


def test_everything_by_default() -> None:
    assert codes() == ALL


@pytest.mark.parametrize(
    ("selector", "expected"),
    [
        ("ALL", ALL),
        ("all", ALL),
        ("ADC101", {"ADC101"}),
        ("adc101", {"ADC101"}),
        (" ADC101 ", {"ADC101"}),
        ("ADC1", {"ADC101", "ADC102"}),
        ("adc10", {"ADC101", "ADC102"}),
        ("ADC", ALL),
        ("blocking-call", {"ADC101"}),
        ("Blocking-Call", {"ADC101"}),
        ("blocking", {"ADC101", "ADC102"}),
        ("coroutines", {"ADC201"}),
    ],
)
def test_selector_forms(selector: str, expected: set[str]) -> None:
    assert codes(select=(selector,)) == expected


def test_ignore_removes_and_wins_over_select() -> None:
    assert codes(ignore=("blocking",)) == {"ADC201", "ADC301"}
    assert codes(select=("ADC101", "ADC201"), ignore=("ADC1",)) == {"ADC201"}


def test_extend_select_adds_to_select() -> None:
    assert codes(select=("blocking",), extend_select=("ADC301",)) == {"ADC101", "ADC102", "ADC301"}
    assert codes(extend_select=("ADC301",)) == ALL


@pytest.mark.parametrize("field", ["select", "extend_select", "ignore"])
def test_unknown_selector(field: str) -> None:
    with pytest.raises(ConfigError) as info:
        codes(**{field: ("XYZ",)})
    assert str(info.value) == "unknown rule selector 'XYZ'"


@pytest.mark.parametrize("selector", ["ADC9", "ADC1-", "", "blocking call"])
def test_selectors_that_name_nothing(selector: str) -> None:
    with pytest.raises(ConfigError, match="unknown rule selector"):
        codes(select=(selector,))


def test_unknown_selector_suggests_a_name() -> None:
    with pytest.raises(ConfigError) as info:
        codes(select=("blocking-cal",))
    assert str(info.value) == "unknown rule selector 'blocking-cal' (did you mean 'blocking-call'?)"


# --- per-file-ignores ---------------------------------------------------------------------------


def ignored(path: str, **table: tuple[str, ...]) -> frozenset[str]:
    config = Config(root=Path("/proj"), per_file_ignores=tuple(table.items()))
    return codes_ignored_for(path, config, rules=RULES)


def test_nothing_ignored_without_a_table() -> None:
    assert codes_ignored_for("/proj/a.py", Config(root=Path("/proj"))) == frozenset()


def test_globs_are_relative_to_the_root() -> None:
    table = {"tests/": ("ADC101",), "src/*/legacy.py": ("blocking",), "__init__.py": ("ADC3",)}
    assert ignored("/proj/tests/unit/test_x.py", **table) == {"ADC101"}
    assert ignored("/proj/src/pkg/legacy.py", **table) == {"ADC101", "ADC102"}
    assert ignored("/proj/src/pkg/__init__.py", **table) == {"ADC301"}
    assert ignored("/proj/src/tests.py", **table) == frozenset()
    assert ignored("/proj/other/src/pkg/legacy.py", **table) == frozenset()


def test_matches_accumulate() -> None:
    table = {"**/*.py": ("ADC101",), "a/*.py": ("ADC201",)}
    assert ignored("/proj/a/b.py", **table) == {"ADC101", "ADC201"}


def test_a_file_outside_the_root_is_matched_by_name() -> None:
    table = {"__init__.py": ("ADC101",), "pkg/mod.py": ("ADC201",)}
    assert ignored("/elsewhere/pkg/__init__.py", **table) == {"ADC101"}
    assert ignored("/elsewhere/pkg/mod.py", **table) == frozenset()


def test_relative_paths_are_relative_to_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    config = Config(root=tmp_path, per_file_ignores=(("gen/*.py", ("ADC1",)),))
    assert codes_ignored_for("gen/x.py", config, rules=RULES) == {"ADC101", "ADC102"}
    assert codes_ignored_for("./gen/x.py", config, rules=RULES) == {"ADC101", "ADC102"}


def test_unknown_selector_in_per_file_ignores() -> None:
    with pytest.raises(ConfigError, match="unknown rule selector 'NOPE'"):
        ignored("/proj/a.py", **{"a.py": ("NOPE",)})
    with pytest.raises(ConfigError, match="unknown rule selector 'NOPE'"):
        codes(per_file_ignores=(("a.py", ("NOPE",)),))
