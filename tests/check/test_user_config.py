"""User-declared blocking and safe functions change what ADC101 reports."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from asyncdoctor.check import Config, check_paths, check_source, load_config

SOURCE = """\
import legacy.db
from legacy import Registry


def helper():
    return legacy.db.query("select 1")


async def handler(client: Registry):
    legacy.db.query("select 1")
    client.fetch("x")
    helper()
"""


def codes_and_lines(config: Config) -> list[tuple[int, str]]:
    return [(f.line, f.code) for f in check_source(SOURCE, config=config)]


def test_unknown_library_calls_are_not_blocking_by_default() -> None:
    assert codes_and_lines(Config(cache=False)) == []


GUESSED = """\
from legacy import Client

client = Client("https://legacy.example")


async def handler():
    client.fetch_orders()
"""


@pytest.mark.parametrize("safe", ["legacy.*", "legacy.Client.*", "legacy.Client.fetch_orders"])
def test_a_guessed_client_call_is_silenced_by_safe_functions(safe: str) -> None:
    # an unknown library's client, by its shape (see _guess): silenced like any other call
    assert [f.line for f in check_source(GUESSED)] == [7]
    assert check_source(GUESSED, config=Config(cache=False, safe_functions=(safe,))) == []


def test_declared_blocking_function_is_reported_directly_and_through_helpers() -> None:
    config = Config(cache=False, blocking_functions=("legacy.db.query",))
    assert codes_and_lines(config) == [(10, "ADC101"), (12, "ADC101")]
    chain = next(f.chain for f in check_source(SOURCE, config=config) if f.line == 12)
    assert chain[0] == "helper()" and "legacy.db.query" in chain[-1]


def test_declared_blocking_methods_with_a_wildcard() -> None:
    config = Config(cache=False, blocking_functions=("legacy.Registry.*",))
    assert codes_and_lines(config) == [(11, "ADC101")]


def test_safe_functions_win_over_knowledge_and_declarations() -> None:
    source = "import time\n\n\nasync def f():\n    time.sleep(1)\n"
    assert [f.code for f in check_source(source)] == ["ADC101"]
    safe = Config(cache=False, safe_functions=("time.sleep",))
    assert check_source(source, config=safe) == []
    both = Config(cache=False, blocking_functions=("legacy.db.query",),
                  safe_functions=("legacy.db.query",))
    assert codes_and_lines(both) == []


# --- a real project: the README's configuration, names as the code imports them -------------

README_CONFIG = """\
[tool.asyncdoctor]
select = ["ALL"]
ignore = ["ADC302"]
exclude = ["migrations/"]
per-file-ignores = { "tests/*" = ["ADC101"] }
blocking-functions = ["legacy.db.query", "legacy.Client.*"]
safe-functions = ["myapp.cache.get_local"]
"""

LEGACY = {
    # the class lives in legacy/client.py; users import it from the package
    "legacy/__init__.py": "from .client import Client\n\n__all__ = ['Client']\n",
    "legacy/client.py": (
        "class Client:\n"
        "    def __init__(self, dsn):\n        self.dsn = dsn\n\n"
        "    def fetch(self, key):\n        return key\n\n"
        "    def store(self, key, value):\n        pass\n\n"
        "    @staticmethod\n    def version():\n        return '1'\n\n"
        "    async def afetch(self, key):\n        return key\n"
    ),
    "legacy/db.py": "def query(sql):\n    return []\n",
    "app/__init__.py": "",
    "app/handlers.py": (
        "import legacy\n"
        "from legacy import Client\n"
        "from legacy.db import query\n\n\n"
        "class Sub(Client):\n    def extra(self):\n        pass\n\n\n"
        "def load(client: Client):\n    return client.fetch('k')\n\n\n"
        "async def handle(dsn):\n"
        "    client = Client(dsn)\n"          # 16: constructing is no method call
        "    client.fetch('a')\n"             # 17
        "    client.store('a', b'')\n"        # 18
        "    await client.afetch('a')\n"      # 19: async
        "    Client.version()\n"              # 20
        "    query('select 1')\n"             # 21
        "    legacy.db.query('select 2')\n"   # 22
        "    load(client)\n"                  # 23: through a helper
        "    sub = Sub(dsn)\n"
        "    sub.fetch('b')\n"                # 25: inherited
        "    sub.extra()\n"                   # 26: the subclass's own method
    ),
}


def _layout(root: Path, *, with_legacy: bool) -> Path:
    (root / "pyproject.toml").parent.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(README_CONFIG, encoding="utf-8")
    for rel, text in LEGACY.items():
        if rel.startswith("legacy/") and not with_legacy:
            continue
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


@pytest.mark.parametrize("with_legacy", [True, False], ids=["in the project", "a library"])
def test_class_wildcard_in_a_real_project(tmp_path: Path, with_legacy: bool,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    # needs engine
    root = _layout(tmp_path / "proj", with_legacy=with_legacy)
    monkeypatch.chdir(root)
    # each call apart (not one finding per library object block): what is declared is tested
    config = dataclasses.replace(load_config(root), show_all_sites=True)
    result = check_paths([root], config)
    assert result.errors == ()
    lines = sorted(f.line for f in result.findings if f.path.endswith("handlers.py"))
    expected = [17, 18, 20, 21, 22, 23, 25]
    if not with_legacy:
        expected.remove(20)  # a library's staticmethod, called on the class, is not known
    assert lines == expected
    assert {f.code for f in result.findings} == {"ADC101"}


# --- messages: as the built-in knowledge's read --------------------------------------------

MESSAGES = """\
import json
import time


def helper(x):
    return json.dumps(x)


def sleeper():
    time.sleep(1)


async def main():
    json.dumps({})
    helper({})
    time.sleep(1)
    sleeper()
"""


def test_declared_blocking_messages_read_like_the_known_ones() -> None:
    config = Config(cache=False, blocking_functions=("json.dumps",))
    found = {f.line: f for f in check_source(MESSAGES, path="app.py", config=config)}
    assert found[14].message == (
        "`json.dumps()` is declared blocking in the configuration, blocking the event loop; "
        "run it in a thread with `await asyncio.to_thread(...)`"
    )
    assert found[15].message == (
        "`helper()` blocks the event loop: it calls json.dumps() at app.py:6, which is declared "
        "blocking in the configuration; make it async or run it in a thread with "
        "`await asyncio.to_thread(helper, ...)`"
    )
    assert found[15].chain == ("helper()", "json.dumps() at app.py:6")
    # The same shapes as the built-in knowledge's messages.
    assert found[16].message.startswith("`time.sleep()` sleeps the whole thread, blocking the event")
    assert found[17].message.startswith("`sleeper()` blocks the event loop: it calls time.sleep() "
                                        "at app.py:10, which sleeps")
    assert found[17].chain == ("sleeper()", "time.sleep() at app.py:10")
    for finding in found.values():
        assert " at ," not in finding.message and "() -> " not in finding.message


def test_a_subclass_of_a_blocking_class_names_no_empty_place() -> None:
    source = (
        "import smtplib\n\n\nclass Mail(smtplib.SMTP):\n    pass\n\n\n"
        "def helper():\n    return Mail('host')\n\n\n"
        "async def main():\n    Mail('host')\n    helper()\n"
    )
    found = {f.line: f.message for f in check_source(source, path="m.py")}
    assert found[13].startswith("`Mail()` talks to an SMTP server and waits for it, blocking")
    assert found[14].startswith("`helper()` blocks the event loop: it calls Mail() at m.py:9, which")
