"""Files written for a newer Python than the one running the checker.

* Each construct a newer Python added is reported as ``newer-python`` with
  the version it needs and where it is, never as a plain syntax error; and a
  genuine syntax error that looks like one of them is never given that label.
  Both directions are verified against the real parsers of the other
  Pythons installed here: every sample parses on a Python that has its
  syntax and fails on one that does not; every genuine error fails on all.
* The detectors give the same answers when run by each of those Pythons.
* The fixtures in ``fixtures/newer/`` use each version's syntax where the
  rules look; they are checked, marks and all, on the Pythons that parse them,
  and reported as needing that version on the others.
* The whole standard library of every other Python installed here: what the
  running Python cannot parse is reported as newer syntax, with a version that
  Python has, and only files that Python parses are.
"""

from __future__ import annotations

import ast
import sys
import sysconfig
from pathlib import Path

import pytest

from asyncdoctor.check import Config, check_paths
from asyncdoctor.check._analysis import analyse_source
from asyncdoctor.check._newer import newer_syntax
from tests.check._pythons import installed_pythons, parse_errors, parse_file_errors, run_python
from tests.check.test_fixtures import expected_marks, run_on

RUNNING = sys.version_info[:2]
FIXTURES = Path(__file__).parent / "fixtures" / "newer"

# name -> (source, version needed, what the message says, line, column)
NEWER: dict[str, tuple[str, tuple[int, int], str, int, int]] = {
    "type statement": ("import os\n\ntype X = int\n", (3, 12), "a `type` statement", 3, 1),
    "generic alias": ("type X[T] = list[T]\n", (3, 12), "a `type` statement", 1, 1),
    "alias over lines": ("type X[\n    T,\n    U,\n] = dict[T, U]\ny = (\n    1)\n", (3, 12), "a `type` statement", 1, 1),
    "generic def": ("def f[T](x: T) -> T:\n    return x\n", (3, 12), "`def f[T]()`", 1, 6),
    "generic def over lines": ("async def f[\n    T: int,\n](x: T) -> T:\n    return x\n", (3, 12), "`def f[T]()`", 1, 12),
    "generic class": ("class C[T]:\n    pass\n", (3, 12), "`class C[T]`", 1, 8),
    "generic class with base": ("class C[T](list[T]):\n    pass\n", (3, 12), "`class C[T]`", 1, 8),
    "f-string quotes": ('d = {"a": 1}\ny = f"{d["a"]}"\n', (3, 12), "reusing its quotes", 2, 5),
    "f-string backslash": ("y = f\"{'\\n'.join(a)}\"\n", (3, 12), "a backslash", 1, 5),
    "f-string comment": ("y = f'''{\n  a  # why\n}'''\n", (3, 12), "a comment", 1, 5),
    "f-string line break": ("y = f'{a +\n b}'\n", (3, 12), "a line break", 1, 5),
    "f-strings nested": ('y = f"{f"{f"{1}"}"}"\n', (3, 12), "reusing its quotes", 1, 5),
    "f-string deep format spec": ("y = f'{x:{y:{z}}}'\n", (3, 12), "nested more than two", 1, 5),
    "type parameter default": ("def f[T = int](x: T) -> T:\n    return x\n", (3, 13), "`[T = int]`", 1, 6),
    "alias default": ("type X[T = int] = list[T]\n", (3, 13), "`[T = int]`", 1, 1),
    "class default": ("class C[T = int]:\n    pass\n", (3, 13), "`[T = int]`", 1, 8),
    "t-string": ('name = 1\ny = t"hi {name}"\n', (3, 14), "a t-string", 2, 5),
    "raw t-strings": ('y = tr"\\d {x}" Rt"{y}"\n', (3, 14), "a t-string", 1, 5),
    "t-string in an f-string": ("y = f\"{t'x'}\"\n", (3, 14), "a t-string", 1, 5),
    "except without parentheses": ("try:\n    pass\nexcept ValueError, TypeError:\n    pass\n", (3, 14), "`except A, B:`", 3, 1),
    "except* without parentheses": ("try:\n    pass\nexcept* ValueError, TypeError:\n    pass\n", (3, 14), "`except A, B:`", 3, 1),
    "list comprehension unpacking": ("xs = [[1]]\ny = [*x for x in xs]\n", (3, 15), "`[*x for x in xs]`", 2, 5),
    "set comprehension unpacking": ("y = {*x for x in xs}\n", (3, 15), "`[*x for x in xs]`", 1, 5),
    "generator unpacking": ("y = list(*x for x in xs)\n", (3, 15), "`[*x for x in xs]`", 1, 9),
    "dict comprehension unpacking": ("y = {**d for d in ds}\n", (3, 15), "`{**d for d in ds}`", 1, 5),
    "async comprehension unpacking": ("async def f():\n    return [*x async for x in y]\n", (3, 15), "`[*x for x in xs]`", 2, 12),
    "lazy import": ("lazy import json\nlazy from os import path\n", (3, 15), "`lazy import`", 1, 1),
    "the newest wins": ("type X = int\n\ny = t'{X}'\nlazy import json\n", (3, 15), "`lazy import`", 4, 1),
}

# name -> source with a genuine syntax error that looks like newer syntax
GENUINE: dict[str, str] = {
    "plain": "def f(:\n    pass\n",
    "incomplete type statement": "type X =\n",
    "broken generic def": "def f[T](:\n    pass\n",
    "unterminated f-string field": "y = f'{x'\n",
    "single brace in an f-string": "y = f'}'\n",
    "t-string next to a string": "y = t'a' 'b'\n",
    "t-string next to an f-string": "y = t'a' f'b'\n",
    "bytes t-string": "y = bt'a'\n",
    "except as without parentheses": "try:\n    pass\nexcept A, B as e:\n    pass\n",
    "dict unpacking in a list comprehension": "y = [**x for x in xs]\n",
    "dict unpacking as a key": "y = {**d: 1 for d in ds}\n",
    "unpacking in a subscript": "y = a[*x for x in xs]\n",
    "unpacking in a display with a for": "y = [*a, *b for x in y]\n",
    "lazy future import": "lazy from __future__ import annotations\n",
    "lazy import of nothing": "lazy import\n",
    "error on the line of a generic": "def f[T](x) -> T: return x +\n",
    "error before new syntax": "def g(:\n    pass\ntype X = int\n",
}


@pytest.mark.parametrize("name", sorted(NEWER))
def test_newer_syntax_is_reported_with_the_version_it_needs(name: str) -> None:
    source, version, what, line, column = NEWER[name]
    summary = analyse_source(source, path="m.py", module="m")
    if version <= RUNNING:
        assert summary.error is None, summary.error
        return
    assert summary.error is not None
    kind, message, got_line, got_column = summary.error
    assert kind == "newer-python", summary.error
    running = f"{RUNNING[0]}.{RUNNING[1]}"
    assert message.startswith(f"uses Python {version[0]}.{version[1]} syntax ("), message
    assert what in message
    assert message.endswith(f"; asyncdoctor is running on {running}")
    assert (got_line, got_column) == (line, column)


@pytest.mark.parametrize("name", sorted(GENUINE))
def test_genuine_syntax_errors_are_not_called_newer_syntax(name: str) -> None:
    summary = analyse_source(GENUINE[name], path="m.py", module="m")
    assert summary.error is not None
    assert summary.error[0] == "syntax", summary.error


def test_samples_agree_with_the_real_parsers() -> None:
    """Every sample parses on each installed Python that has its syntax, and only there."""
    pythons = installed_pythons()
    if not pythons:
        pytest.skip("no other Python is installed here")
    names = sorted(NEWER)
    genuine = sorted(GENUINE)
    for version, python in sorted(pythons.items()):
        errors = parse_errors(python, [NEWER[n][0] for n in names] + [GENUINE[n] for n in genuine])
        for name, error in zip(names, errors[: len(names)], strict=True):
            needs = NEWER[name][1]
            assert (error != "parse") == (version >= needs), (name, version, error)
        for name, error in zip(genuine, errors[len(names) :], strict=True):
            assert error is not None, f"{name!r} compiles on Python {version}: it is no error"


DETECT = """
import ast, json, sys, warnings
from asyncdoctor.check._newer import newer_syntax
warnings.simplefilter("ignore")
out = []
for source in json.load(sys.stdin):
    try:
        ast.parse(source)
        out.append("parses")
    except SyntaxError as exc:
        found = newer_syntax(source, exc)
        out.append(None if found is None else [list(found.version), found.line, found.column])
print(json.dumps(out))
"""


def test_the_detectors_under_every_installed_python() -> None:
    """What a 3.12 or a 3.14 running the checker would say of each sample."""
    pythons = installed_pythons()
    if not pythons:
        pytest.skip("no other Python is installed here")
    names = sorted(NEWER)
    for version, python in sorted(pythons.items()):
        answers = run_python(python, DETECT, [NEWER[n][0] for n in names] + list(GENUINE.values()))
        assert isinstance(answers, list)
        for name, answer in zip(names, answers, strict=False):
            _, needs, _, line, column = NEWER[name]
            expected = "parses" if version >= needs else [list(needs), line, column]
            assert answer == expected, (name, version)
        assert answers[len(names) :] == [None] * len(GENUINE), version


def test_newer_syntax_costs_one_file(tmp_path: Path) -> None:
    # needs engine
    (tmp_path / "new.py").write_text("lazy import json\n", encoding="utf-8")
    (tmp_path / "bad.py").write_text("def f(:\n    pass\n", encoding="utf-8")
    (tmp_path / "ok.py").write_text("import time\n\n\nasync def f():\n    time.sleep(1)\n",
                                    encoding="utf-8")
    result = check_paths([tmp_path], Config(root=tmp_path, cache=False))
    assert [(f.path, f.line) for f in result.findings] == [(str(tmp_path / "ok.py"), 5)]
    expected = {"bad.py": "syntax"}
    if RUNNING < (3, 15):
        expected["new.py"] = "newer-python"
    assert {Path(e.path).name: e.kind for e in result.errors} == expected
    assert result.exit_code == 2


# --- the fixtures -----------------------------------------------------------------------------


def _fixture_version(path: Path) -> tuple[int, int]:
    return (3, int(path.stem.removeprefix("py3")))


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("py3*.py")), ids=lambda p: p.stem)
def test_fixture_in_newer_syntax(path: Path) -> None:
    version = _fixture_version(path)
    if version <= RUNNING:
        for preview in (False, True):
            assert sorted(run_on(path, preview=preview)) == sorted(
                expected_marks(path, preview=preview))
        return
    result = check_paths([path], Config(root=path.parent, cache=False))
    (error,) = result.errors
    assert error.kind == "newer-python", error
    assert error.message.startswith(f"uses Python {version[0]}.{version[1]} syntax"), error


def test_fixtures_parse_on_their_python_and_not_before() -> None:
    pythons = {**installed_pythons(), RUNNING: sys.executable}
    paths = sorted(FIXTURES.glob("py3*.py"))
    sources = [p.read_text(encoding="utf-8") for p in paths]
    for version, python in sorted(pythons.items()):
        for path, error in zip(paths, parse_errors(python, sources), strict=True):
            assert (error != "parse") == (version >= _fixture_version(path)), (path.name, version)


# --- other Pythons' standard libraries ---------------------------------------------------------

STDLIB_OF = """
import json, sysconfig
print(json.dumps(sysconfig.get_paths()["stdlib"]))
"""


@pytest.mark.slow
def test_the_standard_library_of_every_other_python(tmp_path: Path) -> None:
    pythons = installed_pythons()
    if not pythons:
        pytest.skip("no other Python is installed here")
    for version, python in sorted(pythons.items()):
        top = run_python(python, STDLIB_OF, None)
        assert isinstance(top, str)
        if Path(top) == Path(sysconfig.get_paths()["stdlib"]):
            continue
        result = check_paths([Path(top)], Config(root=tmp_path, cache=False))
        assert result.files_checked > 300, (version, result.files_checked)
        newer = [e for e in result.errors if e.kind == "newer-python"]
        if version <= RUNNING:
            assert not newer, (version, newer[:3])
        running = f"{RUNNING[0]}.{RUNNING[1]}"
        for error in newer:
            needs = error.message.removeprefix("uses Python ").partition(" ")[0]
            assert RUNNING < tuple(map(int, needs.split("."))) <= version, error
            assert error.message.endswith(f"running on {running}"), error
        assert {e.kind for e in result.errors} <= {"newer-python", "syntax", "unreadable"}
        # The parsers have the last word: a file called newer parses on that Python, and
        # a file called broken does not.
        errors = sorted(result.errors, key=lambda e: e.path)
        verdicts = parse_file_errors(python, [e.path for e in errors])
        for error, verdict in zip(errors, verdicts, strict=True):
            if error.kind == "newer-python":
                assert verdict != "parse", f"{error.path} does not parse on {version} either"
            else:
                assert verdict is not None, f"{error.path} compiles on {version}: {error}"
        print(f"\nPython {version} stdlib from {running}: {result.files_checked} files, "
              f"{len(newer)} in newer syntax, {len(result.errors) - len(newer)} other errors")


def test_newer_syntax_module_needs_nothing_but_the_standard_library() -> None:
    # It runs under the other Pythons in these tests with no dependency installed.
    tree = ast.parse(Path(newer_syntax.__code__.co_filename).read_text(encoding="utf-8"))
    imported = {
        alias.name.partition(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {node.module.partition(".")[0] for node in ast.walk(tree)
         if isinstance(node, ast.ImportFrom) and node.module and not node.level}
    assert imported <= set(sys.stdlib_module_names) | {"__future__"}, imported


def test_each_python_version_has_its_own_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    # A file that needs 3.15 is an error on 3.11 and fine on 3.15: the verdict cached by
    # one must never be served to the other (nor an AST-dependent summary).
    import types

    from asyncdoctor.check import _engine

    _engine._engine_fingerprint.cache_clear()
    here = _engine._engine_fingerprint()
    other = types.SimpleNamespace(implementation=sys.implementation, version_info=(3, 99, 0))
    monkeypatch.setattr(_engine, "sys", other)
    _engine._engine_fingerprint.cache_clear()
    try:
        assert _engine._engine_fingerprint() != here
    finally:
        _engine._engine_fingerprint.cache_clear()
