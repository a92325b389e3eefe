"""Every code block a reader can paste from README.md and docs/*.md works.

Blocks are taken by the language of their fence:

* ``toml``: parsed; a ``[tool.asyncdoctor]`` table is loaded as the
  configuration of a copy of ``examples/``, which is then checked with it; a
  ``[tool.pytest.ini_options]`` table is given to pytest, which must know
  every option of it (the plugin's).
* ``python``: compiled (an ``await`` at the top level is allowed, as in the
  asyncio REPL); its imports are run; a block that defines every name it
  uses is run whole.
* ``sh``: ``bash -n``; every ``asyncdoctor ...`` command in it is accepted by
  the argument parser, and ``check``, ``rules`` and ``rule`` commands are run
  against a copy of ``examples/`` (also reachable as ``src``), where they must
  exit as documented: 1 when they find problems, 0 otherwise; every
  ``bench/*.py`` script named exists.
* ``console``: a transcript: its ``$`` commands are run in a copy of the
  repository's examples and their output must be the one shown.
* ``yaml`` (pre-commit): parsed; each hook is one ``.pre-commit-hooks.yaml``
  defines (and a local hook runs what it runs), each ``rev`` is a commit or a
  tag that exists.
* ``json``: parsed.

A block deliberately left untested (a transcript with ``...``, sample
output, a usage synopsis) says so, with a reason, in an HTML comment on the
line before its fence: ``<!-- not-tested: sample output -->``.  Any other
block of a language this test cannot run fails it.
"""

from __future__ import annotations

import ast
import builtins
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import textwrap
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^(?P<indent>[ \t]*)```(?P<lang>[\w-]*)[^\n]*\n(?P<body>.*?)^(?P=indent)```[ \t]*$",
                   re.MULTILINE | re.DOTALL)
NOT_TESTED = re.compile(r"<!--\s*not-tested:\s*(?P<reason>.+?)\s*-->")
TESTED = ("toml", "python", "sh", "console", "yaml", "json")


@dataclass(frozen=True)
class Block:
    path: Path
    line: int
    lang: str
    body: str
    skipped: str | None  # the reason given in a not-tested comment

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"


def blocks() -> Iterator[Block]:
    for path in DOCUMENTS:
        text = path.read_text(encoding="utf-8")
        for match in FENCE.finditer(text):
            before = text[: match.start()].rstrip("\n").rpartition("\n")[2]
            marker = NOT_TESTED.search(before)
            yield Block(
                path=path,
                line=text.count("\n", 0, match.start()) + 1,
                lang=match["lang"],
                body=textwrap.dedent(match["body"]),
                skipped=marker["reason"] if marker else None,
            )


ALL = list(blocks())
needs_bash = pytest.mark.skipif(shutil.which("bash") is None, reason="the blocks are bash")


def of(lang: str) -> list[Block]:
    return [b for b in ALL if b.lang == lang and b.skipped is None]


def ids(items: list[Block]) -> list[str]:
    return [b.where for b in items]


def test_every_block_is_tested_or_says_why_not() -> None:
    assert len(ALL) > 40
    untestable = [b.where + f" ({b.lang or 'no language'})" for b in ALL
                  if b.skipped is None and b.lang not in TESTED]
    assert not untestable, (
        "these blocks cannot be tested: give them a language this test runs, or say why "
        f"not with <!-- not-tested: reason --> on the line before: {untestable}"
    )


def test_markers_mark_blocks() -> None:
    # A not-tested comment that is not right before a fence marks nothing.
    for path in DOCUMENTS:
        lines = path.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines):
            if NOT_TESTED.search(line):
                following = next((ln for ln in lines[number + 1 :] if ln.strip()), "")
                assert following.lstrip().startswith("```"), f"{path.name}:{number + 1}"


# --- a scratch copy of examples/ ----------------------------------------------------------------


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """Where the commands run: ``examples/`` copied, also as ``src``; no configuration."""
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    shutil.copytree(ROOT / "examples", tmp_path / "src")
    return tmp_path


def shell(script: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``script`` in bash, ``asyncdoctor`` being this Python's."""
    prelude = f'asyncdoctor() {{ {shlex.quote(sys.executable)} -m asyncdoctor "$@"; }}\n'
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    return subprocess.run(["bash", "-c", prelude + script], cwd=cwd, capture_output=True,
                          text=True, timeout=300, env=env, check=False)


# --- toml -------------------------------------------------------------------------------------


@needs_bash
@pytest.mark.parametrize("block", of("toml"), ids=ids(of("toml")))
def test_toml(block: Block, workspace: Path) -> None:
    document = tomllib.loads(block.body)
    tool = document.get("tool", {})
    assert tool, f"{block.where}: a [tool.*] table is expected"
    if "asyncdoctor" in tool:
        from asyncdoctor.check import load_config

        (workspace / "examples" / "pyproject.toml").write_text(block.body, encoding="utf-8")
        load_config(workspace / "examples")  # raises ConfigError
        run = shell("asyncdoctor check --no-cache .", workspace / "examples")
        assert run.returncode == 1, run.stderr  # examples/ has problems to find
    if "pytest" in tool:
        (workspace / "pyproject.toml").write_text(block.body, encoding="utf-8")
        (workspace / "test_one.py").write_text("def test_one():\n    pass\n", encoding="utf-8")
        run = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
             "-W", "error::pytest.PytestConfigWarning", "test_one.py"],
            cwd=workspace, capture_output=True, text=True, timeout=300,
            check=False,
        )  # fmt: skip
        assert run.returncode == 0, run.stdout + run.stderr
        assert "Unknown config option" not in run.stdout + run.stderr


# --- python -----------------------------------------------------------------------------------

RUNNER = """
import ast, asyncio, sys
code = compile(sys.stdin.read(), "<block>", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
result = eval(code, {"__name__": "__main__"})
if asyncio.iscoroutine(result):
    asyncio.run(result)
"""


def free_names(tree: ast.AST) -> set[str]:
    """Names a block reads but never binds (roughly: any binding anywhere counts)."""
    bound: set[str] = set(dir(builtins))
    read: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (read if isinstance(node.ctx, ast.Load) else bound).add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, ast.alias):
            bound.add((node.asname or node.name).partition(".")[0])
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.add(node.name)
    return read - bound


@pytest.mark.parametrize("block", of("python"), ids=ids(of("python")))
def test_python(block: Block) -> None:
    flags = ast.PyCF_ALLOW_TOP_LEVEL_AWAIT | ast.PyCF_ONLY_AST
    tree = compile(block.body, block.where, "exec", flags=flags)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Import | ast.ImportFrom):
            continue
        module = node.module if isinstance(node, ast.ImportFrom) else node.names[0].name
        if module and not module.startswith("asyncdoctor") and _missing(module):
            continue  # an optional library the reader may not have
        statement = ast.unparse(node)
        run = subprocess.run([sys.executable, "-c", statement], capture_output=True,
                             text=True, timeout=120, check=False)
        assert run.returncode == 0, f"{block.where}: `{statement}` fails: {run.stderr}"
    if not free_names(tree):
        run = subprocess.run([sys.executable, "-c", RUNNER], input=block.body,
                             capture_output=True, text=True, timeout=300, check=False)
        assert run.returncode == 0, f"{block.where} does not run: {run.stderr}"


def _missing(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module.partition(".")[0]) is None


# --- sh ---------------------------------------------------------------------------------------


def commands(script: str) -> Iterator[list[str]]:
    """The simple commands of a script, as argument lists (comments and ``&&`` split)."""
    for line in script.replace("\\\n", " ").splitlines():
        lexer = shlex.shlex(line, posix=True, punctuation_chars=";&|")
        lexer.whitespace_split = True
        lexer.commenters = "#"
        current: list[str] = []
        for token in lexer:
            if token and set(token) <= set(";&|"):
                if current:
                    yield current
                current = []
            else:
                current.append(token)
        if current:
            yield current


@needs_bash
@pytest.mark.parametrize("block", of("sh"), ids=ids(of("sh")))
def test_sh(block: Block, workspace: Path) -> None:
    syntax = subprocess.run(["bash", "-n"], input=block.body, capture_output=True, text=True,
                            timeout=60, check=False)
    assert syntax.returncode == 0, f"{block.where}: {syntax.stderr}"
    for argv in commands(block.body):
        for word in argv:
            if re.fullmatch(r"bench/[\w/]+\.py", word):
                assert (ROOT / word).is_file(), f"{block.where}: {word} does not exist"
        if argv[0] != "asyncdoctor":
            continue
        _parses(block, argv[1:])
        if argv[1] in ("check", "rules", "rule"):
            run = shell(shlex.join(argv), workspace)
            expected = 1 if argv[1] == "check" and "--exit-zero" not in argv else 0
            assert run.returncode == expected, f"{block.where}: {shlex.join(argv)}\n{run.stderr}"


def _parses(block: Block, args: list[str]) -> None:
    from asyncdoctor.cli import _main

    parser = _main._build_parser(_main._command_of(args))
    try:
        parser.parse_args(args)
    except (SystemExit, _main.UsageError) as exc:
        pytest.fail(f"{block.where}: `asyncdoctor {shlex.join(args)}` is refused: {exc}")


# --- console ----------------------------------------------------------------------------------


@needs_bash
@pytest.mark.parametrize("block", of("console"), ids=ids(of("console")))
def test_console(block: Block, tmp_path: Path) -> None:
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    sessions: list[tuple[str, list[str]]] = []
    for line in block.body.splitlines():
        if line.startswith("$ "):
            sessions.append((line[2:], []))
        else:
            assert sessions, f"{block.where}: output before any command"
            sessions[-1][1].append(line)
    assert sessions, f"{block.where}: no `$ ` command in a console block"
    for command, expected in sessions:
        assert "..." not in expected, f"{block.where}: a partial transcript needs a not-tested mark"
        run = shell(command, tmp_path)
        assert run.returncode in (0, 1), f"{block.where}: {command}\n{run.stderr}"
        assert (run.stdout + run.stderr).splitlines() == expected, block.where


# --- yaml and json ----------------------------------------------------------------------------


@pytest.mark.parametrize("block", of("yaml"), ids=ids(of("yaml")))
def test_pre_commit_yaml(block: Block) -> None:
    yaml = pytest.importorskip("yaml")
    config = yaml.safe_load(block.body)
    manifest = {hook["id"]: hook for hook in
                yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))}
    tags = subprocess.run(["git", "tag", "--list"], cwd=ROOT, capture_output=True, text=True,
                          check=False).stdout.split()
    assert config["repos"], block.where
    for repo in config["repos"]:
        for hook in repo["hooks"]:
            assert hook["id"] in manifest, f"{block.where}: no hook {hook['id']!r}"
            if repo["repo"] == "local":
                defined = manifest[hook["id"]]
                for key in ("entry", "types", "require_serial"):
                    assert hook[key] == defined[key], f"{block.where}: {key}"
                continue
        if repo["repo"] != "local":
            rev = str(repo["rev"])
            assert re.fullmatch(r"[0-9a-f]{40}", rev) or rev in tags, (
                f"{block.where}: rev {rev!r} is neither a commit nor a tag of this repository"
            )
            if re.fullmatch(r"[0-9a-f]{40}", rev):
                kind = subprocess.run(["git", "cat-file", "-t", rev], cwd=ROOT,
                                      capture_output=True, text=True, check=False).stdout
                assert kind.strip() == "commit", f"{block.where}: no commit {rev}"


@pytest.mark.parametrize("block", of("json"), ids=ids(of("json")))
def test_json(block: Block) -> None:
    json.loads(block.body)
