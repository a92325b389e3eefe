"""User-declared blocking and safe functions change what ADC101 reports."""

from __future__ import annotations

from asyncdoctor.check import Config, check_source

SOURCE = """\
import legacy.db
from legacy import Client


def helper():
    return legacy.db.query("select 1")


async def handler(client: Client):
    legacy.db.query("select 1")
    client.fetch("x")
    helper()
"""


def codes_and_lines(config: Config) -> list[tuple[int, str]]:
    return [(f.line, f.code) for f in check_source(SOURCE, config=config)]


def test_unknown_library_calls_are_not_blocking_by_default() -> None:
    assert codes_and_lines(Config(cache=False)) == []


def test_declared_blocking_function_is_reported_directly_and_through_helpers() -> None:
    config = Config(cache=False, blocking_functions=("legacy.db.query",))
    assert codes_and_lines(config) == [(10, "ADC101"), (12, "ADC101")]
    chain = next(f.chain for f in check_source(SOURCE, config=config) if f.line == 12)
    assert chain[0] == "helper()" and "legacy.db.query" in chain[-1]


def test_declared_blocking_methods_with_a_wildcard() -> None:
    config = Config(cache=False, blocking_functions=("legacy.Client.*",))
    assert codes_and_lines(config) == [(11, "ADC101")]


def test_safe_functions_win_over_knowledge_and_declarations() -> None:
    source = "import time\n\n\nasync def f():\n    time.sleep(0)\n"
    assert [f.code for f in check_source(source)] == ["ADC101"]
    safe = Config(cache=False, safe_functions=("time.sleep",))
    assert check_source(source, config=safe) == []
    both = Config(cache=False, blocking_functions=("legacy.db.query",),
                  safe_functions=("legacy.db.query",))
    assert codes_and_lines(both) == []
