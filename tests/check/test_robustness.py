"""The checker never crashes, whatever Python it is given.

* Whole trees: the standard library and the installed site-packages.  The
  only files reported as errors must be files that Python itself rejects
  (at the same line), the invalid test data files must all be reported, and
  every finding must point into its file.
* Generated programs (hypothesmith), as modules and as ``async def`` bodies.
* Mutants of realistic async files (fixtures, examples, asyncio's own
  sources): lines deleted, duplicated, swapped, re-indented.
* Files that cannot be read: syntax errors among valid files, undecodable
  bytes, wrong coding cookies; and files that can: BOMs, latin-1 cookies,
  non-ASCII text before a finding (columns count characters).
* Deep nesting, in the analysis and where each rule looks: a
  ``RecursionError`` is a reported error, never an exception.

The code the checker reads is not the test's own code: warnings about it
(invalid escape sequences...) are silenced around each run, as the command
line runs without ``-W error``.  ``test_result_does_not_depend_on_warning_filters``
checks that part on its own.
"""

from __future__ import annotations

import ast
import contextlib
import os
import random
import re
import sys
import sysconfig
import time
import tokenize
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import hypothesmith
import pytest
from hypothesis import HealthCheck, given, settings

from asyncdoctor.check import Config, Finding, all_rules, check_paths, check_source, discover_files

HERE = Path(__file__).parent
REPO = HERE.parents[1]
CODES = frozenset(r.code for r in all_rules())
IN_CI = bool(os.environ.get("CI"))


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """Warnings about the *checked* code are not the test's business."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def compile_error(source: str | bytes) -> BaseException | None:
    """Why CPython refuses ``source`` (with the default warning filters), or None."""
    with quiet():
        try:
            compile(source, "<fuzz>", "exec", dont_inherit=True)
        except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError) as exc:
            return exc
    return None


def parse_error(source: str | bytes) -> BaseException | None:
    with quiet():
        try:
            ast.parse(source)
        except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError) as exc:
            return exc
    return None


def python_lines(path: Path) -> list[str]:
    """The lines of a source file as Python counts them (only \\n, \\r\\n, \\r end a line)."""
    with tokenize.open(path) as f:  # honours the coding cookie and the BOM; universal newlines
        text = f.read()
    return text.split("\n")


def check(source: str, path: str = "<fuzz>", *, preview: bool = False) -> list[Finding] | SyntaxError:
    """``check_source`` that may only fail with ``SyntaxError``; returned, not raised."""
    with quiet():
        try:
            return check_source(source, path=path, config=Config(cache=False, preview=preview))
        except SyntaxError as exc:
            return exc


def assert_checked_or_rejected(source: str, path: str = "<fuzz>") -> None:
    result = check(source, path)
    if isinstance(result, SyntaxError):
        assert compile_error(source) is not None, (
            f"the checker rejected code that compiles ({result}):\n{source}"
        )
        return
    for f in result:
        assert f.code in CODES
        assert 1 <= f.line <= f.end_line
        assert f.column >= 1 and f.end_column >= 1
    if parse_error(source) is not None:
        pytest.fail(f"the checker accepted code that does not parse:\n{source}")


# ---------------------------------------------------------------------------
# Whole trees


TREES = {
    "stdlib": (sysconfig.get_paths()["stdlib"], 300),
    "site-packages": (sysconfig.get_paths()["purelib"], 200),
}
# Modules every standard library has, whether or not its test suite is installed with it
# (Debian packages it apart: its Python 3.14 has some 630 files, a full one some 1800).
STDLIB_MODULES = (
    "asyncio/__init__.py", "asyncio/tasks.py", "collections/__init__.py",
    "concurrent/futures/__init__.py", "email/__init__.py", "http/client.py",
    "importlib/__init__.py", "json/__init__.py", "logging/__init__.py", "os.py",
    "pathlib/__init__.py" if sys.version_info >= (3, 13) else "pathlib.py", "typing.py",
    "unittest/__init__.py", "urllib/request.py",
)


def assert_finding_is_in_the_file(f: Finding, lines: list[str]) -> None:
    where = f"{f.path}:{f.line}:{f.column} {f.code}"
    assert 1 <= f.line <= f.end_line <= len(lines), where
    first, last = lines[f.line - 1], lines[f.end_line - 1]
    assert 1 <= f.column <= len(first), f"{where}: column past the end of {first!r}"
    assert not first[f.column - 1].isspace(), f"{where}: column points at a blank in {first!r}"
    assert 2 <= f.end_column <= len(last) + 1, f"{where}: end column outside {last!r}"
    assert not last[f.end_column - 2].isspace(), f"{where}: end points after a blank in {last!r}"
    if f.line == f.end_line:
        assert f.column < f.end_column, where


_SUSPECT_DIRS = frozenset({"data", "tokenizedata", "testdata", "test_data", "bad", "invalid"})
_SUSPECT_NAME = re.compile(r"(?i)bad|syntax|invalid|error|broken|py2|coding|encoding")


@pytest.mark.slow
@pytest.mark.parametrize("tree", sorted(TREES))
def test_checker_survives_a_whole_tree(tree: str, tmp_path: Path) -> None:
    top, min_files = TREES[tree]
    config = Config(root=tmp_path, cache=False)
    start = time.perf_counter()
    with quiet():
        result = check_paths([Path(top)], config)
    elapsed = time.perf_counter() - start
    print(f"\n{tree}: {result.files_checked} files, {result.lines_checked} lines, "
          f"{len(result.findings)} findings, {len(result.errors)} errors in {elapsed:.1f}s")

    files = discover_files([Path(top)], config)
    assert result.files_checked == len(files) >= min_files
    assert result.lines_checked > 50 * min_files
    if tree == "stdlib":
        missing = {m for m in STDLIB_MODULES if Path(top, m) not in set(files)}
        assert not missing, f"not checked: {sorted(missing)}"

    # Every error is a file CPython refuses too, at the same line.
    for err in result.errors:
        assert err.kind in ("syntax", "unreadable"), err  # never "internal" nor "newer-python"
        exc = compile_error(Path(err.path).read_bytes())
        assert exc is not None, f"{err.path} compiles, yet was reported: {err}"
        if err.kind == "syntax" and err.line is not None and isinstance(exc, SyntaxError):
            assert err.line == exc.lineno, (err, exc)

    # ... and the files the parser rejects are reported, not skipped or checked as fine
    # (parsing the whole tree again would double the time: test the likely suspects).
    suspects = [f for f in files if _SUSPECT_DIRS & set(f.parts) or _SUSPECT_NAME.search(f.name)]
    unparsable = {str(f) for f in suspects if parse_error(f.read_bytes()) is not None}
    assert unparsable <= {e.path for e in result.errors}

    # Findings point into their file: a line that exists, a column on a non-blank.
    checked = {str(f) for f in files}
    by_file: dict[str, list[Finding]] = {}
    for finding in result.findings:
        assert finding.path in checked and finding.code in CODES, finding
        by_file.setdefault(finding.path, []).append(finding)
    for path, found in by_file.items():
        lines = python_lines(Path(path))
        for finding in found:
            assert_finding_is_in_the_file(finding, lines)


# ---------------------------------------------------------------------------
# Generated programs

FUZZ = settings(
    deadline=None,
    derandomize=IN_CI,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.filter_too_much],
)
# hypothesmith compiles candidate programs itself; their warnings are not ours.
generated = pytest.mark.filterwarnings("ignore::SyntaxWarning", "ignore::DeprecationWarning")

_PRELUDE = (
    "import asyncio\nimport time\nimport requests\nfrom asyncio import create_task, gather, sleep\n"
)


def in_async_def(body: str) -> str:
    """``body`` as the body of a coroutine function, after imports the rules know."""
    lines = body.splitlines() or ["pass"]
    indented = "\n".join(("    " + line) if line.strip() else line for line in lines)
    return f"{_PRELUDE}\n\nasync def _fuzzed(self, *args, **kwargs):\n    pass\n{indented}\n"


@generated
@settings(FUZZ, max_examples=100)
@given(source=hypothesmith.from_grammar())
def test_grammar_programs(source: str) -> None:
    assert_checked_or_rejected(source)


@generated
@settings(FUZZ, max_examples=80)
@given(source=hypothesmith.from_grammar().map(in_async_def))
def test_grammar_programs_as_coroutine_bodies(source: str) -> None:
    # Per-file rules only look inside ``async def``: put the generated code there.
    assert_checked_or_rejected(source)


@generated
@settings(FUZZ, max_examples=30)
@given(source=hypothesmith.from_node())
def test_cst_programs(source: str) -> None:
    assert_checked_or_rejected(source)


@generated
@settings(FUZZ, max_examples=25)
@given(source=hypothesmith.from_node().map(in_async_def))
def test_cst_programs_as_coroutine_bodies(source: str) -> None:
    assert_checked_or_rejected(source)


# ---------------------------------------------------------------------------
# Mutation fuzz of realistic async code


_ASYNCIO_SOURCES = ("taskgroups.py", "streams.py", "queues.py", "locks.py", "timeouts.py", "runners.py")
_STDLIB_ASYNCIO = Path(sysconfig.get_paths()["stdlib"]) / "asyncio"

_REALISTIC = '''\
"""A small service: a worker pool, an HTTP client, a cache, a shutdown path."""
from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass, field

import aiohttp
import requests

log = logging.getLogger(__name__)
_background: set[asyncio.Task[None]] = set()


@dataclass
class Job:
    url: str
    retries: int = 3
    tags: list[str] = field(default_factory=list)


class Fetcher:
    def __init__(self, limit: int = 10) -> None:
        self._sem = asyncio.Semaphore(limit)
        self._session: aiohttp.ClientSession | None = None
        self._cache: dict[str, bytes] = {}

    async def __aenter__(self) -> Fetcher:
        self._session = aiohttp.ClientSession()
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._session is not None:
            await self._session.close()

    async def fetch(self, job: Job) -> bytes:
        if (hit := self._cache.get(job.url)) is not None:
            return hit
        async with self._sem:
            assert self._session is not None
            for attempt in range(job.retries):
                try:
                    async with self._session.get(job.url) as resp:
                        body = await resp.read()
                        self._cache[job.url] = body
                        return body
                except aiohttp.ClientError:
                    time.sleep(0.1 * attempt)
                    continue
                except asyncio.CancelledError:
                    log.info("cancelled")
                    raise
        raise RuntimeError(job.url)

    def legacy(self, url: str) -> int:
        return requests.get(url, timeout=5).status_code


async def notify(message: str) -> None:
    await asyncio.sleep(0)
    log.info("%s", message)


async def worker(name: str, queue: asyncio.Queue[Job], fetcher: Fetcher) -> None:
    while True:
        job = await queue.get()
        try:
            match job:
                case Job(url=url, retries=0):
                    log.warning("no retries for %s", url)
                case Job(tags=[first, *rest]) if first == "slow":
                    await asyncio.wait_for(fetcher.fetch(job), timeout=30)
                case _:
                    data = await fetcher.fetch(job)
                    notify(f"{name}: {len(data)} bytes")
                    asyncio.create_task(notify("done"))
                    print(fetcher.legacy(job.url))
        finally:
            queue.task_done()


async def main(urls: list[str]) -> None:
    queue: asyncio.Queue[Job] = asyncio.Queue()
    for url in urls:
        queue.put_nowait(Job(url))
    async with Fetcher() as fetcher, asyncio.TaskGroup() as tg:
        workers = [tg.create_task(worker(f"w{i}", queue, fetcher)) for i in range(4)]
        await queue.join()
        for w in workers:
            w.cancel()
    results = await asyncio.gather(*(notify(u) for u in urls), return_exceptions=True)
    task = asyncio.create_task(notify("bye"))
    _background.add(task)
    task.add_done_callback(_background.discard)
    with contextlib.suppress(Exception):
        await asyncio.create_task(notify(str(results)))
    lambda_ = lambda: notify("never")  # noqa: E731
    del lambda_


if __name__ == "__main__":
    asyncio.run(main(["https://example.com"]))
'''


def mutation_corpus() -> dict[str, str]:
    """name -> source of the files to mutate."""
    corpus = {"realistic_service.py": _REALISTIC}
    for top in (HERE / "fixtures", REPO / "examples"):
        for path in sorted(top.rglob("*.py")) if top.is_dir() else ():
            corpus[path.relative_to(REPO).as_posix()] = path.read_text(encoding="utf-8")
    for name in _ASYNCIO_SOURCES:
        path = _STDLIB_ASYNCIO / name
        if path.is_file():
            corpus[f"asyncio/{name}"] = path.read_text(encoding="utf-8")
    return corpus


def mutate(source: str, rng: random.Random) -> str:
    lines = source.splitlines()
    for _ in range(rng.randint(1, 4)):
        if not lines:
            break
        i = rng.randrange(len(lines))
        op = rng.choice(("delete", "delete", "duplicate", "indent", "dedent", "swap", "join", "cut"))
        if op == "delete":
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "indent":
            lines[i] = rng.choice(("    ", " ", "\t")) + lines[i]
        elif op == "dedent":
            stripped = lines[i].lstrip()
            cut = rng.randint(1, max(1, len(lines[i]) - len(stripped)))
            lines[i] = lines[i][cut:] if lines[i][:cut].isspace() else stripped
        elif op == "swap":
            j = rng.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "join" and i + 1 < len(lines):
            lines[i : i + 2] = [lines[i] + " " + lines[i + 1].lstrip()]
        elif op == "cut":
            line = lines[i]
            lines[i] = line[: rng.randint(0, len(line))]
    return "\n".join(lines) + "\n"


CORPUS = mutation_corpus()
SEEDS = range(12)
FILES_PER_SEED = 12


def test_mutation_corpus_is_realistic() -> None:
    assert len(CORPUS) >= 4
    async_files = [name for name, src in CORPUS.items() if "async def" in src]
    assert len(async_files) >= 4, async_files


@pytest.mark.parametrize("seed", SEEDS)
def test_mutants_are_checked_or_rejected(seed: int, tmp_path: Path) -> None:
    rng = random.Random(seed)
    mutants: dict[str, str] = {}
    # A different sample of the corpus for each seed keeps the time bounded as it grows.
    others = sorted(name for name in CORPUS if name != "realistic_service.py")
    chosen = ["realistic_service.py", *rng.sample(others, min(FILES_PER_SEED, len(others)))]
    for name in chosen:
        source = CORPUS[name]
        for k in range(2):
            mutant = mutate(source, rng)
            assert_checked_or_rejected(mutant, path=name)
            mutants[f"m{k}/{name}"] = mutant
    # The same mutants as one project: cross-module resolution over broken files.
    for rel, text in mutants.items():
        target = tmp_path / "tree" / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    with quiet():
        result = check_paths([tmp_path / "tree"], Config(root=tmp_path, cache=False, jobs=1))
    # A module beside a package of the same name is never imported: a folder walk skips it.
    shadowed = {rel for rel in mutants if rel.endswith(".py") and rel[:-3] + "/__init__.py" in mutants}
    assert result.files_checked == len(mutants) - len(shadowed)
    reported = {Path(e.path).relative_to(tmp_path / "tree").as_posix() for e in result.errors}
    unparsable = {rel for rel, text in mutants.items() if parse_error(text) is not None} - shadowed
    assert unparsable <= reported
    for rel in reported:
        assert compile_error(mutants[rel]) is not None, f"{rel} compiles but was reported"
    for error in result.errors:
        # newer syntax: only in (mutants of) the fixtures written in it
        assert error.kind == "syntax" or (
            error.kind == "newer-python" and "/fixtures/newer/" in error.path
        ), error


# A file that leans on every unusual corner of the grammar, in async code.
KITCHEN_SINK = '''\
from __future__ import annotations
import asyncio, time
import asyncio as aio
from asyncio import sleep as zz, create_task as spawn
global_counter = 0

class Meta(type):
    async def __call__(cls, *a, **k): ...

@lambda f: f
async def decorated(x: int = (lambda: 1)(), /, *args: int, key=time.sleep, **kw) -> "aio.Task[int]":
    global global_counter
    global_counter += 1
    async def inner():
        nonlocal x
        x = await zz(0)
        return [await zz(0) async for _ in agen() if await zz(0)]
    async def agen():
        yield await zz(0)
    (y := spawn(inner()))
    [*a, b] = [await zz(0), *args]
    {**kw, "k": await zz(0)}
    print(*args, **kw, sep=time.sleep)
    match await inner():
        case [1, *rest] if rest:
            time.sleep(1)
        case {"a": 1, **others}:
            zz(1)
        case Meta(x=1) | Meta(x=2) as m:
            pass
        case str() | bytes():
            pass
    try:
        pass
    except* ValueError as eg:
        raise
    except* (TypeError, KeyError):
        pass
    with (open("f") as f, open("g") as g):
        pass
    async with aio.timeout(1) as t, aio.TaskGroup() as tg:
        tg.create_task(inner())
    class Local(Exception, metaclass=Meta):
        attr = time.sleep(1)
        def m(self):
            return lambda: asyncio.create_task(inner())
    return await (await inner())[0:1:2]()(*[], **{})

async def strange_calls():
    await (yield)
    getattr(asyncio, "sleep")(1)
    (asyncio.sleep)(1)
    asyncio.sleep(1)[0]
    asyncio.sleep(1).send(None)
    f"{await zz(0)!r:>{10}}"
    del asyncio.sleep(1).x
    print(not asyncio.sleep(1), -asyncio.sleep(1), asyncio.sleep(1) if 1 else 2)
    for asyncio.x in []:
        pass
    lambda: (yield)
'''


def test_kitchen_sink() -> None:
    source = KITCHEN_SINK
    assert parse_error(source) is None, parse_error(source)
    result = check(source)
    assert not isinstance(result, SyntaxError), result


# ---------------------------------------------------------------------------
# Files that cannot be read, and files that can


BLOCKING = "import time\n\n\nasync def handler():\n    time.sleep(1)\n"


def test_syntax_error_among_valid_files(tmp_path: Path) -> None:
    (tmp_path / "a_good.py").write_text(BLOCKING, encoding="utf-8")
    (tmp_path / "b_bad.py").write_text("import time\n\n\ndef broken(:\n    pass\n", encoding="utf-8")
    (tmp_path / "c_good.py").write_text("import time\nasync def g():\n    time.sleep(2)\n",
                                        encoding="utf-8")
    result = check_paths([tmp_path], Config(root=tmp_path, cache=False))
    assert result.files_checked == 3
    assert [(Path(e.path).name, e.kind, e.line) for e in result.errors] == [
        ("b_bad.py", "syntax", 4)
    ]
    assert result.errors[0].message
    assert sorted((Path(f.path).name, f.line, f.code) for f in result.findings) == [
        ("a_good.py", 5, "ADC101"),
        ("c_good.py", 3, "ADC101"),
    ]
    assert result.exit_code == 2


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"\xff\xfe\x00bad", id="undecodable-no-cookie"),
        pytest.param(b"x = 1\ns = '\xe9t\xe9'\n", id="latin-1-bytes-no-cookie"),
        pytest.param(b"# -*- coding: utf-8 -*-\ns = '\xe9t\xe9'\n", id="wrong-cookie"),
        pytest.param(b"# coding: uft-8\nx = 1\n", id="unknown-cookie"),
        pytest.param(b"\xef\xbb\xbf# coding: latin-1\nx = 1\n", id="bom-and-other-cookie"),
    ],
)
def test_undecodable_file_is_a_decode_error(data: bytes, tmp_path: Path) -> None:
    assert compile_error(data) is not None
    (tmp_path / "bad.py").write_bytes(data)
    (tmp_path / "good.py").write_text(BLOCKING, encoding="utf-8")
    result = check_paths([tmp_path], Config(root=tmp_path, cache=False))
    assert [(Path(e.path).name, e.kind) for e in result.errors] == [("bad.py", "unreadable")]
    assert [(Path(f.path).name, f.code) for f in result.findings] == [("good.py", "ADC101")]


def _expected_columns(line: str, call: str) -> tuple[int, int]:
    start = line.index(call)
    return start + 1, start + len(call) + 1


@pytest.mark.parametrize(
    ("data", "line_no", "prefix"),
    [
        pytest.param(b"\xef\xbb\xbf" + BLOCKING.encode(), 5, "    ", id="bom"),
        pytest.param(
            b"\xef\xbb\xbfimport time\n\nasync def f():\n    s = '\xc3\xa9t\xc3\xa9'; time.sleep(1)\n",
            4, "    s = 'été'; ", id="bom-utf8-non-ascii",
        ),
        pytest.param(
            "# -*- coding: latin-1 -*-\nimport time\n\n\nasync def traitement(données):\n"
            "    résumé = 'déjà vu'; time.sleep(1)\n    return résumé\n".encode("latin-1"),
            6, "    résumé = 'déjà vu'; ", id="latin-1-cookie",
        ),
        pytest.param(
            "import time\n\nasync def f():\n    x = '🐍🐍'; time.sleep(1)\n".encode(),
            4, "    x = '🐍🐍'; ", id="astral-chars",
        ),
        pytest.param(
            "import time\r\n\r\nasync def f():\r\n    x = 'ü'; time.sleep(1)\r\n".encode(),
            4, "    x = 'ü'; ", id="crlf",
        ),
        pytest.param(
            "import time\nasync def f():\n    x = 'ß'\n    y = 'ß'; time.sleep(1)\n".encode("utf-16"),
            None, None, id="utf-16-without-cookie",
        ),
    ],
)
def test_encodings_and_columns(data: bytes, line_no: int | None, prefix: str | None,
                               tmp_path: Path) -> None:
    path = tmp_path / "mod.py"
    path.write_bytes(data)
    result = check_paths([tmp_path], Config(root=tmp_path, cache=False))
    if line_no is None:  # not Python source at all: an error, not a crash
        assert compile_error(data) is not None
        assert [e.kind for e in result.errors] in (["unreadable"], ["syntax"])
        return
    assert compile_error(data) is None
    assert result.errors == ()
    assert prefix is not None
    line = prefix + "time.sleep(1)"
    assert python_lines(path)[line_no - 1].rstrip("\r") == line
    col, end = _expected_columns(line, "time.sleep(1)")
    assert [(f.line, f.column, f.end_line, f.end_column, f.code) for f in result.findings] == [
        (line_no, col, line_no, end, "ADC101")
    ]


@pytest.mark.parametrize(
    ("statement", "flagged", "code"),
    [
        # a project-stage rule (the call site recorded in the summary)
        ("s = 'Größe → 🐍'; time.sleep(1)", "time.sleep(1)", "ADC101"),
        # a per-file rule (FunctionContext.report)
        ("s = 'Größe → 🐍'; return await asyncio.create_task(compute())",
         "await asyncio.create_task(compute())", "ADC302"),
    ],
)
def test_columns_count_characters_in_check_source(statement: str, flagged: str, code: str) -> None:
    source = (f"import asyncio\nimport time\n\n\nasync def compute():\n    return 1\n\n\n"
              f"async def f():\n    {statement}\n")
    found = check(source)
    assert not isinstance(found, SyntaxError)
    col, end = _expected_columns("    " + statement, flagged)
    assert [(f.line, f.column, f.end_line, f.end_column, f.code) for f in found] == [
        (10, col, 10, end, code)
    ]


def test_syntax_error_column_counts_characters(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text("x = 'éé🐍' + * 1\n", encoding="utf-8")
    result = check_paths([tmp_path], Config(root=tmp_path, cache=False))
    assert [(e.kind, e.line, e.column) for e in result.errors] == [("syntax", 1, 13)]


@pytest.mark.parametrize("separator", ["\x0c", "\x1c", "\u2028"])
def test_columns_after_a_form_feed(separator: str) -> None:
    # Form feeds between sections are common (the stdlib has them); \u2028 may sit in a string.
    source = f"# é\nx = '{separator}'\nimport time\n\n\x0c\nasync def f():\n    s = 'é'; time.sleep(1)\n"
    assert compile_error(source) is None
    found = check(source)
    assert not isinstance(found, SyntaxError)
    col, end = _expected_columns("    s = 'é'; time.sleep(1)", "time.sleep(1)")
    assert [(f.line, f.column, f.end_column) for f in found] == [(7, col, end)]


def test_result_does_not_depend_on_warning_filters(tmp_path: Path) -> None:
    source = 'import re\nimport time\n\nPATTERN = re.compile("\\d+")\n\nasync def f():\n    time.sleep(1)\n'
    (tmp_path / "mod.py").write_text(source, encoding="utf-8")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        expected = check_paths([tmp_path], Config(root=tmp_path, cache=False))
    assert [(f.line, f.code) for f in expected.findings] == [(7, "ADC101")]
    assert [str(w.message) for w in caught] == [], "the checked code's warnings leak out"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        strict = check_paths([tmp_path], Config(root=tmp_path, cache=False))
        assert [(f.line, f.code) for f in check_source(source)] == [(7, "ADC101")]
    assert strict.errors == ()
    assert strict.findings == expected.findings


# ---------------------------------------------------------------------------
# Deep nesting


def _nest_ifs(depth: int) -> str:
    body = "".join("    " * (i + 1) + f"if x{i}:\n" for i in range(depth))
    return f"import time\n\n\nasync def f():\n{body}{'    ' * (depth + 1)}time.sleep(1)\n"


DEEP = {
    "parens-200": "import time\n\n\nasync def f():\n    x = " + "(" * 200 + "1" + ")" * 200 + "\n    time.sleep(1)\n",
    "calls-199": "import time\n\n\nasync def f():\n    x = " + "g(" * 199 + "1" + ")" * 199 + "\n    time.sleep(1)\n",
    "lists-199": "import time\n\n\nasync def f():\n    x = " + "[" * 199 + "]" * 199 + "\n    time.sleep(1)\n",
    "sum-800": "import time\n\n\nasync def f(a):\n    x = " + " + ".join(["a"] * 800) + "\n    time.sleep(1)\n",
    "sum-2000": "import time\n\n\nasync def f(a):\n    x = " + " + ".join(["a"] * 2000) + "\n    time.sleep(1)\n",
    "sum-5000": "import time\n\n\nasync def f(a):\n    x = " + " + ".join(["a"] * 5000) + "\n    time.sleep(1)\n",
    "attrs-5000": "import time\n\n\nasync def f(a):\n    x = a" + ".b" * 5000 + "\n    time.sleep(1)\n",
    "method-chain-2000": "import time\n\n\nasync def f(a):\n    x = a" + ".b()" * 2000 + "\n    time.sleep(1)\n",
    "not-3000": "import time\n\n\nasync def f(a):\n    x = " + "not " * 3000 + "a\n    time.sleep(1)\n",
    "and-5000": "import time\n\n\nasync def f(a):\n    x = " + " and ".join(["a()"] * 5000) + "\n    time.sleep(1)\n",
    "strings-5000": "import time\n\n\nasync def f(a):\n    x = " + " ".join(['"a"'] * 5000) + "\n    time.sleep(1)\n",
    "lambdas-500": "import time\n\n\nasync def f(a):\n    x = " + "lambda: " * 500 + "1\n    time.sleep(1)\n",
    "elif-3000": "import time\n\n\nasync def f(x):\n    if x == 0:\n        pass\n" + "".join(f"    elif x == {i}:\n        pass\n" for i in range(1, 3000)) + "    time.sleep(1)\n",
    "ifs-90": _nest_ifs(90),
    "ifs-100": _nest_ifs(100),
    "async-defs-90": "import time\n" + "".join("    " * i + f"async def f{i}():\n" for i in range(90)) + "    " * 90 + "time.sleep(1)\n",
}


@pytest.mark.parametrize("name", sorted(DEEP))
def test_deep_nesting_is_never_an_exception(name: str, tmp_path: Path) -> None:
    source = DEEP[name]
    last = source.rstrip("\n").count("\n") + 1
    (tmp_path / "deep.py").write_text(source, encoding="utf-8")
    (tmp_path / "ok.py").write_text(BLOCKING, encoding="utf-8")
    with quiet():
        result = check_paths([tmp_path], Config(root=tmp_path, cache=False))
    found = {(Path(f.path).name, f.line, f.code) for f in result.findings}
    assert ("ok.py", 5, "ADC101") in found
    if result.errors:
        assert [(Path(e.path).name, e.kind) for e in result.errors] == [("deep.py", "syntax")]
        assert not any(name == "deep.py" for name, _, _ in found)
    else:
        # Analysed: then analysed fully.
        assert ("deep.py", last, "ADC101") in found
    # check_source: the same, as a SyntaxError or findings.
    checked = check(source)
    if isinstance(checked, SyntaxError):
        assert result.errors
    else:
        assert (last, "ADC101") in {(f.line, f.code) for f in checked}


@pytest.mark.parametrize("name", ["ifs-90", "sum-800", "lambdas-500", "calls-199", "and-5000"])
def test_moderate_nesting_is_analysed(name: str) -> None:
    # Real (generated) code reaches these depths; it must not be given up on.
    source = DEEP[name]
    assert compile_error(source) is None
    checked = check(source)
    assert not isinstance(checked, SyntaxError), checked
    assert [f.code for f in checked] == ["ADC101"]


# Deep expressions where each rule looks: loop conditions, awaited calls, task
# spawns, handlers... A rule that recurses (or calls ``ast.unparse``) on them must
# not turn valid code into a crash.
_RULE_CONTEXTS = {
    "while-condition": "async def f(a):\n    while {E}:\n        await asyncio.sleep(1)\n",
    "if-in-while": ("async def f(a):\n    while True:\n        if {E}:\n            break\n"
                    "        await asyncio.sleep(1)\n"),
    "augassign-in-while": ("async def f(a):\n    while True:\n        ({E}).count += 1\n"
                           "        await asyncio.sleep(1)\n"),
    "sleep-in-try": ("async def f(a):\n    try:\n        await asyncio.sleep(float({E}))\n"
                     "    except asyncio.CancelledError:\n        pass\n"),
    "while-sleep-arg": "async def f(a):\n    while True:\n        await asyncio.sleep({E})\n",
    "for-await": "async def f(xs, a):\n    for x in xs:\n        y = await g(x, {E})\n",
    "for-await-method": "async def f(xs, a):\n    for x in xs:\n        y = await ({E}).fetch(x)\n",
    "create-task": "async def f(xs, a):\n    for x in xs:\n        asyncio.create_task(g({E}))\n",
    "gather": "async def f(xs, a):\n    await asyncio.gather(*[g(x + {E}) for x in xs])\n",
    "subscript-target": "async def f(xs, a, out):\n    for x in xs:\n        out[{E}] = await g(x)\n",
    "session": ("async def f(xs, a):\n    async with aiohttp.ClientSession() as s:\n"
                "        for x in xs:\n            await s.get({E})\n"),
    "client-argument": "async def f(a):\n    s = aiohttp.ClientSession({E})\n    await s.get('x')\n",
    "except-clause": ("async def f(a):\n    try:\n        await asyncio.sleep(1)\n"
                      "    except ({E}):\n        pass\n"),
    "default-arg": "async def f(a=({E})):\n    await asyncio.sleep(0)\n",
    "decorator": "@deco({E})\nasync def f():\n    await asyncio.sleep(0)\n",
    "return": "async def f(a):\n    return {E}\n",
    "lambda": "async def f(a):\n    cb = lambda: {E}\n    await asyncio.sleep(0)\n",
    "sync-def": "def f(a):\n    return {E}\n",
    "module": "X = {E}\n",
}
_DEEP_SHAPES: dict[str, Callable[[int], str]] = {
    "sum": lambda n: " + ".join(["a"] * n),
    "attributes": lambda n: "a" + ".b" * n,
    "subscripts": lambda n: "a" + "[0]" * n,
    "negations": lambda n: "-" * n + "a",
    "conditionals": lambda n: "a if a else " * n + "a",
}
_CRASHING_RULE_CONTEXTS = {
    "while-condition": "busy_wait._short -> ast.unparse(loop test)",
    "if-in-while": "busy_wait._short -> ast.unparse(exit condition)",
    "augassign-in-while": "busy_wait.stmt (line 111) -> ast.unparse(augmented target)",
    "sleep-in-try": "swallowed_cancel._sleeps_forever (line 270) -> ast.unparse(sleep argument)",
}


def _context_param(name: str) -> object:
    # Every context once overflowed in a rule (see _CRASHING_RULE_CONTEXTS); the
    # engine now contains a rule's RecursionError to the function it was checking.
    return name


@pytest.mark.parametrize("context", [_context_param(name) for name in _RULE_CONTEXTS])
def test_deep_expressions_where_rules_look(context: str, tmp_path: Path) -> None:
    for shape, make in _DEEP_SHAPES.items():
        source = "import asyncio\nimport aiohttp\n\n\n" + _RULE_CONTEXTS[context].replace(
            "{E}", make(600))
        assert parse_error(source) is None, (context, shape)
        check(source)  # findings or SyntaxError; any other exception fails the test
        (tmp_path / f"{shape}.py").write_text(source, encoding="utf-8")
    with quiet():
        result = check_paths([tmp_path], Config(root=tmp_path, cache=False, jobs=1))
    assert {e.kind for e in result.errors} <= {"syntax"}


def test_long_chain_of_sync_helpers(tmp_path: Path) -> None:
    n = 1000
    helpers = "".join(f"def f{i}():\n    f{i + 1}()\n\n\n" for i in range(n))
    source = (f"import time\n\n\n{helpers}def f{n}():\n    time.sleep(1)\n\n\n"
              "async def main():\n    f0()\n")
    (tmp_path / "chain.py").write_text(source, encoding="utf-8")
    # So deep a chain is weak evidence (reported under --preview); it must not recurse.
    result = check_paths([tmp_path], Config(root=tmp_path, cache=False, preview=True))
    assert [f.code for f in result.findings] == ["ADC101"] or [e.path for e in result.errors]
    assert result.findings[0].preview


def test_cyclic_helpers_terminate(tmp_path: Path) -> None:
    source = (
        "import time\n\n\ndef ping(n):\n    return pong(n - 1) if n else time.sleep(1)\n\n\n"
        "def pong(n):\n    return ping(n)\n\n\nasync def main():\n    pong(3)\n"
    )
    found = check(source, preview=True)  # the sleep is on one branch only: weak evidence
    assert not isinstance(found, SyntaxError)
    assert [(f.line, f.code) for f in found] == [(13, "ADC101")]
    assert any("time.sleep" in step for step in found[0].chain)


def test_random_bytes_are_never_an_exception(tmp_path: Path) -> None:
    rng = random.Random(1234)
    base = _REALISTIC.encode()
    for i in range(40):
        data = bytearray(base)
        for _ in range(rng.randint(1, 6)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        (tmp_path / f"m{i:02}.py").write_bytes(bytes(data))
    with quiet():
        result = check_paths([tmp_path], Config(root=tmp_path, cache=False, jobs=1))
    assert result.files_checked == 40
    for err in result.errors:
        assert compile_error(Path(err.path).read_bytes()) is not None, err
    for path in tmp_path.glob("*.py"):
        if parse_error(path.read_bytes()) is not None:
            assert str(path) in {e.path for e in result.errors}


def test_null_bytes_and_empty_files(tmp_path: Path) -> None:
    (tmp_path / "empty.py").write_bytes(b"")
    (tmp_path / "blank.py").write_bytes(b"\n\n   \n")
    (tmp_path / "comment.py").write_bytes(b"# only a comment, no newline")
    (tmp_path / "nul.py").write_bytes(b"x = 1\x00\n")
    (tmp_path / "cr_only.py").write_bytes(b"import time\rasync def f():\r    time.sleep(1)\r")
    with quiet():
        result = check_paths([tmp_path], Config(root=tmp_path, cache=False))
    assert [(Path(e.path).name, e.kind) for e in result.errors] == [("nul.py", "syntax")]
    assert [(Path(f.path).name, f.line, f.column) for f in result.findings] == [("cr_only.py", 3, 5)]
