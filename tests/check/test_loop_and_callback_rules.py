"""ADC103 loop-in-loop, ADC202 coroutine-as-callback and ADC505 loop-per-item.

The fixtures (``fixtures/single/loop_in_loop*.py``, ``coroutine_as_callback*.py``,
``loop_per_item*.py`` and the ``projects/*`` of the same names) say which lines
are reported; these tests check what the findings say, and that the notes
ADC202 leaves in each file's summary never become findings of their own.
"""

from __future__ import annotations

import json
from pathlib import Path

from asyncdoctor.check import Config, check_paths, check_source
from asyncdoctor.check._analysis import analyse_source
from asyncdoctor.check._catalog import RULE_CATALOG

CALLBACKS = """\
import asyncio
import signal


async def shutdown() -> None:
    await asyncio.sleep(0)


def install(loop: asyncio.AbstractEventLoop) -> None:
    loop.add_signal_handler(signal.SIGTERM, shutdown)
    loop.call_soon(lambda: shutdown())
    loop.call_soon(print, "ready")
"""


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_loop_in_loop_names_the_chain(tmp_path: Path) -> None:
    _write(tmp_path, {
        "app/__init__.py": "",
        "app/sync.py": (
            "import asyncio\n\n\nasync def _get(key):\n    return key\n\n\n"
            "def load(key):\n    return asyncio.run(_get(key))\n\n\n"
            "def load_all(keys):\n    return [load(k) for k in keys]\n"
        ),
        "app/web.py": "from .sync import load_all\n\n\nasync def handler(keys):\n    return load_all(keys)\n",
    })
    result = check_paths([tmp_path], Config(root=tmp_path, cache=False, select=("ADC103",)))
    [finding] = result.findings
    assert finding.path.endswith("web.py") and finding.line == 5
    assert "`load_all()` starts an event loop inside the running one" in finding.message
    assert "load() -> asyncio.run() at" in finding.message
    assert [step.partition(" at ")[0] for step in finding.chain] == ["load_all()", "load()", "asyncio.run()"]


def test_loop_in_loop_direct_call_message() -> None:
    source = "import asyncio\n\n\nasync def f(c):\n    asyncio.get_event_loop().run_until_complete(c)\n"
    [finding] = [f for f in check_source(source) if f.code == "ADC103"]
    assert finding.line == 5
    assert finding.message.startswith("`loop.run_until_complete()` in an async function raises `RuntimeError`")


def test_coroutine_callback_messages() -> None:
    found = [(f.line, f.message) for f in check_source(CALLBACKS) if f.code == "ADC202"]
    assert [line for line, _ in found] == [10, 11]
    assert "raises `TypeError`" in found[0][1]
    assert "(in a lambda)" in found[1][1] and "never runs" in found[1][1]


def test_coroutine_callback_notes_are_never_findings(tmp_path: Path) -> None:
    summary = analyse_source(CALLBACKS, path="cb.py", module="cb")
    notes = [flag for flag in summary.flags if flag.startswith("adc202:")]
    assert len(notes) == 3  # one per callback handed over, coroutine function or not
    assert not summary.reports
    # Notes survive the cache's JSON round trip.
    assert json.loads(json.dumps(summary.to_dict()))["flags"] == summary.flags
    (tmp_path / "cb.py").write_text(CALLBACKS, encoding="utf-8")
    for select in ((), ("ADC202",), ("ADC101",)):
        config = Config(root=tmp_path, cache=False, select=select)
        codes = {f.code for f in check_paths([tmp_path], config).findings}
        assert codes <= {entry[0] for entry in RULE_CATALOG}
        assert ("ADC202" in codes) == (select != ("ADC101",))


def test_coroutine_callback_reads_no_other_file(tmp_path: Path) -> None:
    """The text filter never trusts a file on disk that is not the text analysed."""
    (tmp_path / "cb.py").write_text("x = 1\n", encoding="utf-8")
    summary = analyse_source(CALLBACKS, path=str(tmp_path / "cb.py"), module="cb")
    assert len([flag for flag in summary.flags if flag.startswith("adc202:")]) == 3


def test_coroutine_callback_from_cached_summaries(tmp_path: Path) -> None:
    """The project stage finds the notes in summaries read back from the cache."""
    (tmp_path / "cb.py").write_text(CALLBACKS, encoding="utf-8")
    (tmp_path / "other.py").write_text("x = 1\n", encoding="utf-8")
    config = Config(root=tmp_path, cache_dir=tmp_path / ".cache", select=("ADC202",))
    first = check_paths([tmp_path], config)
    (tmp_path / "other.py").write_text("x = 2\n", encoding="utf-8")  # a new run, cb.py from the cache
    second = check_paths([tmp_path], config)
    assert second.files_from_cache >= 1
    assert [(f.line, f.code) for f in second.findings] == [(f.line, f.code) for f in first.findings]
    assert len(first.findings) == 2


def test_loop_per_item_message() -> None:
    source = (
        "import asyncio\n\n\nasync def fetch(u):\n    return u\n\n\n"
        "def main(urls):\n    for url in urls:\n        asyncio.run(fetch(url))\n"
    )
    [finding] = [f for f in check_source(source) if f.code == "ADC505"]
    assert finding.line == 10
    assert "`asyncio.run()` starts a new event loop for each item of `urls`" in finding.message
