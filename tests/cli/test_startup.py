"""``asyncdoctor`` starts fast: each command imports what it needs and nothing more.

pre-commit and editors run ``asyncdoctor check`` on every save, so start-up is
most of its time.  Wall times are for ``bench/startup.py`` (a loaded machine
makes them useless in tests); here, each command runs in a fresh interpreter
and the modules it imported are compared with what it may import.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from asyncdoctor.cli import _main

# Never for --version and --help; never for a check served from the cache.
HEAVY = ("rich", "asyncio", "asyncdoctor.check.rules", "asyncdoctor.check._analysis",
         "asyncdoctor.check._index", "asyncdoctor.runtime", "asyncdoctor.perf",
         "asyncdoctor.limits", "asyncdoctor.cli._run", "asyncdoctor.cli._tune",
         "asyncdoctor.cli._bench", "pathspec", "concurrent.futures", "multiprocessing")

PROBE = """
import json, sys
from asyncdoctor.cli import main
code = main(sys.argv[1:])
sys.stdout.flush()
print("\\nMODULES " + json.dumps(sorted(sys.modules)))
raise SystemExit(code)
"""


def imported(*args: str, cwd: Path | None = None) -> tuple[int, set[str]]:
    """Run the command line with ``args`` in a new interpreter: its code and its modules."""
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, *args], cwd=cwd, capture_output=True, text=True,
        timeout=120, check=False,
        env={k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")},
    )  # fmt: skip
    marker = proc.stdout.rindex("\nMODULES ")
    modules = set(json.loads(proc.stdout[marker + len("\nMODULES ") :]))
    return proc.returncode, modules


def heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY))


def test_version_imports_nothing_heavy() -> None:
    code, modules = imported("--version")
    assert code == 0
    assert heavy(modules) == []
    assert "argparse" not in modules  # it only prints the version
    assert not any(m.startswith("asyncdoctor.check") for m in modules)


@pytest.mark.parametrize("args", [["--help"], ["check", "--help"], ["rule", "--help"], []])
def test_help_imports_nothing_heavy(args: list[str]) -> None:
    code, modules = imported(*args)
    assert code == (2 if not args else 0)
    assert heavy(modules) == []


def test_a_check_served_from_the_cache_loads_no_rule(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "demo"\n', encoding="utf-8")
    (tmp_path / "app.py").write_text("import time\n\n\nasync def f():\n    time.sleep(1)\n",
                                     encoding="utf-8")
    first, analysed = imported("check", "app.py", cwd=tmp_path)
    assert first == 1
    assert "asyncdoctor.check.rules" in analysed  # the first run analyses
    again, modules = imported("check", "app.py", cwd=tmp_path)
    assert again == 1
    assert heavy(modules) == []


def test_stub_help_is_each_command_s_own() -> None:
    # `asyncdoctor --help` lists stubs; the help each command registers must be the same.
    top = _main._build_parser()
    stubs = {action.dest: action.help for action in _top_choices(top)}
    for name in _main._COMMANDS:
        full = {action.dest: action.help for action in _top_choices(_main._build_parser(name))}
        assert full[name] == stubs[name], name


def _top_choices(parser: _main._Parser) -> list[object]:
    import argparse

    (commands,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return list(commands._choices_actions)


@pytest.mark.parametrize("name", sorted(_main._COMMANDS))
def test_each_command_parses_with_only_its_own_parser(name: str) -> None:
    args = {"check": ["check", "src"], "rules": ["rules"], "rule": ["rule", "ADC101"],
            "run": ["run", "app.py"], "tune": ["tune", "http", "http://127.0.0.1:1/"],
            "bench": ["bench", "http"], "top": ["top", "--once"], "trace": ["trace", "-o", "x.json"]}[name]
    namespace = _main._build_parser(_main._command_of(args)).parse_args(args)
    assert callable(namespace.handler)
