"""The engine around the rules: cache, process pool, noqa, selection, module names.

* Cache: a second run over an unchanged tree is served from the cache with
  the same result; an edited file, and only it, is analysed again; corrupt
  or unwritable cache directories are never fatal; a cached run always
  equals a fresh one.
* Pool: the process pool (fork and spawn) finds exactly what a serial run finds.
* ``# noqa``, ``select``/``ignore``/``extend_select`` by code, prefix, name
  and category, ``per_file_ignores``.
* ``module_name`` and relative imports resolved across modules.
"""

from __future__ import annotations

import concurrent.futures
import json
import multiprocessing
import os
import shutil
import sys
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from asyncdoctor.check import (
    CheckResult,
    Config,
    Finding,
    _engine,
    all_rules,
    check_paths,
    check_source,
)
from asyncdoctor.check._engine import module_name

HERE = Path(__file__).parent
REPO = HERE.parents[1]


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def full(result: CheckResult) -> list[tuple[Any, ...]]:
    """Everything a finding says, chain included (``Finding.__eq__`` ignores the chain)."""
    return [(f.path, f.line, f.column, f.end_line, f.end_column, f.code, f.name, f.category,
             f.message, f.chain) for f in result.findings]


def short(result: CheckResult, root: Path) -> list[tuple[str, int, str]]:
    return sorted((Path(f.path).relative_to(root).as_posix(), f.line, f.code)
                  for f in result.findings)


def errors(result: CheckResult) -> list[tuple[str, str, int | None]]:
    return sorted((e.path, e.kind, e.line) for e in result.errors)


# A small project: findings in several files, one across modules, one syntax error.
PROJECT = {
    "svc/__init__.py": "",
    "svc/clock.py": "import time\n\n\ndef pause(seconds):\n    time.sleep(seconds)\n",
    "svc/api.py": (
        "import asyncio\n\nfrom .clock import pause\n\n\n"
        "async def handler():\n    pause(1)\n    await asyncio.sleep(0)\n"
    ),
    "svc/jobs.py": (
        "import asyncio\n\n\nasync def save(item):\n    await asyncio.sleep(0)\n\n\n"
        "async def run(item):\n    save(item)\n"
    ),
    "svc/broken.py": "def oops(:\n    pass\n",
    "svc/clean.py": "import asyncio\n\n\nasync def ok():\n    await asyncio.sleep(1)\n",
    "tools/script.py": "import time\n\n\nasync def main():\n    time.sleep(1)\n",
}
EXPECTED = [
    ("svc/api.py", 7, "ADC101"),
    ("svc/jobs.py", 9, "ADC201"),
    ("tools/script.py", 5, "ADC101"),
]


# ---------------------------------------------------------------------------
# Cache


def cached(root: Path) -> Config:
    return Config(root=root, cache=True, cache_dir=root.parent / "c")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    write(root, PROJECT)
    return root


def test_fresh_run(project: Path) -> None:
    result = check_paths([project], Config(root=project, cache=False))
    assert short(result, project) == EXPECTED
    assert [(Path(e.path).name, e.kind, e.line) for e in result.errors] == [
        ("broken.py", "syntax", 1)
    ]
    assert result.files_checked == len(PROJECT)
    assert result.files_from_cache == 0
    assert not (project / ".asyncdoctor_cache").exists()


def test_second_run_is_served_from_the_cache(project: Path) -> None:
    first = check_paths([project], cached(project))
    assert first.files_from_cache == 0
    assert (project.parent / "c" / "CACHEDIR.TAG").is_file()
    assert not (project / ".asyncdoctor_cache").exists(), "cache_dir is where the cache goes"
    second = check_paths([project], cached(project))
    assert second.files_from_cache == second.files_checked == len(PROJECT)
    assert full(second) == full(first)
    assert errors(second) == errors(first)
    assert second.lines_checked == first.lines_checked
    assert short(second, project) == EXPECTED


def test_editing_one_file_analyses_just_that_one(project: Path) -> None:
    first = check_paths([project], cached(project))
    (project / "tools/script.py").write_text(
        "import time\n\n\nasync def main():\n    print('starting')\n    time.sleep(1)\n",
        encoding="utf-8")
    result = check_paths([project], cached(project))
    assert result.files_from_cache == len(PROJECT) - 1
    assert short(result, project) == [
        ("svc/api.py", 7, "ADC101"), ("svc/jobs.py", 9, "ADC201"), ("tools/script.py", 6, "ADC101"),
    ]
    unchanged = [f for f in full(result) if not f[0].endswith("script.py")]
    assert unchanged == [f for f in full(first) if not f[0].endswith("script.py")]


def test_edited_file_is_analysed_again(project: Path) -> None:
    check_paths([project], cached(project))
    # The helper no longer blocks (a different size, so the stat index sees it):
    # the finding in *another*, unchanged and cached, file must go.
    (project / "svc/clock.py").write_text(
        "import asyncio\n\n\ndef pause(seconds):\n    return asyncio.sleep(seconds)\n", encoding="utf-8")
    (project / "svc/clean.py").write_text(
        "import time\n\n\nasync def ok():\n    time.sleep(1)\n", encoding="utf-8")
    result = check_paths([project], cached(project))
    assert result.files_from_cache == len(PROJECT) - 2
    assert short(result, project) == [
        ("svc/clean.py", 5, "ADC101"),
        ("svc/jobs.py", 9, "ADC201"),
        ("tools/script.py", 5, "ADC101"),
    ]
    assert full(result) == full(check_paths([project], Config(root=project, cache=False)))
    again = check_paths([project], cached(project))
    assert again.files_from_cache == len(PROJECT)
    assert full(again) == full(result)


def test_fixing_a_syntax_error_is_seen(project: Path) -> None:
    check_paths([project], cached(project))
    (project / "svc/broken.py").write_text("import time\n\n\nasync def oops():\n    time.sleep(1)\n",
                                           encoding="utf-8")
    result = check_paths([project], cached(project))
    assert result.errors == ()
    assert ("svc/broken.py", 5, "ADC101") in short(result, project)


def test_new_and_deleted_files_are_seen(project: Path) -> None:
    check_paths([project], cached(project))
    (project / "tools/script.py").unlink()
    write(project, {"tools/other.py": "import time\n\n\nasync def main():\n    time.sleep(2)\n"})
    result = check_paths([project], cached(project))
    assert result.files_checked == len(PROJECT)
    assert short(result, project) == [
        ("svc/api.py", 7, "ADC101"),
        ("svc/jobs.py", 9, "ADC201"),
        ("tools/other.py", 5, "ADC101"),
    ]


def test_settings_are_part_of_the_cached_run(project: Path) -> None:
    check_paths([project], cached(project))
    only = check_paths([project], Config(root=project, cache=True, cache_dir=project.parent / "c",
                                         select=("ADC201",)))
    assert short(only, project) == [("svc/jobs.py", 9, "ADC201")]
    ignored = check_paths([project], Config(root=project, cache=True, cache_dir=project.parent / "c",
                                            per_file_ignores=(("tools/*", ("ADC101",)),)))
    assert ("tools/script.py", 5, "ADC101") not in short(ignored, project)
    declared = check_paths([project], Config(root=project, cache=True, cache_dir=project.parent / "c",
                                             safe_functions=("svc.clock.pause",)))
    assert ("svc/api.py", 7, "ADC101") not in short(declared, project)
    assert short(check_paths([project], cached(project)), project) == EXPECTED


_GARBAGE: dict[str, Callable[[str], str]] = {
    "garbage": lambda text: "garbage{{ not json",
    "empty": lambda text: "",
    "truncated": lambda text: text[: len(text) // 2],
    "binary": lambda text: "\x00\xff\xfe",
    "null": lambda text: "null",
    "list": lambda text: "[]",
    "empty-object": lambda text: "{}",
}


def _corrupt(cache: Path, which: str, how: str) -> int:
    entries = list(cache.rglob("*.json"))
    if which == "summaries":
        targets = [p for p in entries if p.parent.name not in ("runs", "v1")]
    elif which == "runs":
        targets = [p for p in entries if p.parent.name == "runs"]
    elif which == "stats":
        targets = [p for p in entries if p.name == "files.json"]
    else:
        targets = entries
    for path in targets:
        path.write_text(_GARBAGE[how](path.read_text(encoding="utf-8", errors="replace")),
                        encoding="utf-8", errors="surrogateescape")
    if which == "summaries":  # else the run-level entry answers before any summary is read
        shutil.rmtree(cache / "v1" / "runs", ignore_errors=True)
    return len(targets)


@pytest.mark.parametrize("how", sorted(_GARBAGE))
@pytest.mark.parametrize("which", ["all", "summaries", "runs", "stats"])
def test_corrupt_cache_entries_are_ignored(project: Path, which: str, how: str) -> None:
    baseline = check_paths([project], cached(project))
    assert _corrupt(project.parent / "c", which, how) >= 1
    result = check_paths([project], cached(project))
    assert full(result) == full(baseline)
    assert errors(result) == errors(baseline)
    if which in ("all", "summaries"):
        assert result.files_from_cache == 0
    # The bad entries were replaced: the next run is whole from the cache again.
    assert check_paths([project], cached(project)).files_from_cache == len(PROJECT)


@pytest.mark.parametrize("which", ["summaries", "stats"])
def test_cache_entries_of_the_wrong_shape_are_ignored(project: Path, which: str) -> None:
    baseline = check_paths([project], cached(project))
    cache = project.parent / "c"
    if which == "stats":
        stats = cache / "v1" / "files.json"
        stats.write_text(json.dumps(dict.fromkeys(json.loads(stats.read_text()), 5)))
    else:
        for path in cache.glob("v1/*/*.json"):
            if path.parent.name != "runs":
                data = json.loads(path.read_text())
                path.write_text(json.dumps({**data, "functions": [], "noqa": []}))
        shutil.rmtree(cache / "v1" / "runs")
    assert full(check_paths([project], cached(project))) == full(baseline)


def _unwritable(root: Path, how: str) -> Path:
    if how == "under-a-file":
        blocker = root.parent / "blocker"
        blocker.write_text("not a directory")
        return blocker / "c"
    if how == "is-a-file":
        target = root.parent / "c-file"
        target.write_text("not a directory")
        return target
    if how == "v1-is-a-file":
        target = root.parent / "c"
        target.mkdir()
        (target / "v1").write_text("not a directory")
        return target
    assert how == "read-only"
    if os.geteuid() == 0:
        pytest.skip("root writes into read-only directories")
    target = root.parent / "c"
    target.mkdir()
    target.chmod(0o555)
    return target


@pytest.mark.parametrize("how", ["under-a-file", "is-a-file", "v1-is-a-file", "read-only"])
def test_unwritable_cache_dir_does_not_break_the_run(project: Path, how: str) -> None:
    cache_dir = _unwritable(project, how)
    config = Config(root=project, cache=True, cache_dir=cache_dir)
    try:
        for _ in range(2):
            result = check_paths([project], config)
            assert short(result, project) == EXPECTED
            assert result.files_from_cache == 0
            assert len(result.errors) == 1
    finally:
        if cache_dir.is_dir():
            cache_dir.chmod(0o755)


def test_read_only_cache_entries_are_still_used(project: Path) -> None:
    first = check_paths([project], cached(project))
    cache = project.parent / "c"
    for path in sorted(cache.rglob("*"), reverse=True):
        path.chmod(0o444 if path.is_file() else 0o555)
    try:
        second = check_paths([project], cached(project))
    finally:
        for path in cache.rglob("*"):
            path.chmod(0o644 if path.is_file() else 0o755)
    assert full(second) == full(first)
    assert second.files_from_cache == len(PROJECT)


def test_cache_follows_module_names(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    write(root, {
        "app/services/auth.py": "import time\n\n\ndef slow_login():\n    time.sleep(1)\n",
        "app/api/routes.py": (
            "from ..services.auth import slow_login\n\n\nasync def login():\n    slow_login()\n"
        ),
    })
    check_paths([root], cached(root))
    write(root, {"app/__init__.py": "", "app/api/__init__.py": "", "app/services/__init__.py": ""})
    assert module_name(root / "app/api/routes.py") == ("app.api.routes", False)
    fresh = check_paths([root], Config(root=root, cache=False))
    assert short(fresh, root) == [("app/api/routes.py", 5, "ADC101")]
    result = check_paths([root], cached(root))
    assert full(result) == full(fresh)
    assert result.files_from_cache == 0, "both modules were renamed: nothing cached applies"


# ---------------------------------------------------------------------------
# Serial and parallel


def _big_tree(root: Path) -> int:
    """Every fixture and example, plus generated modules: > 48 files, with findings."""
    count = 0
    for name, top in (("fixtures", HERE / "fixtures"), ("examples", REPO / "examples")):
        if top.is_dir():
            shutil.copytree(top, root / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for i in range(60):
        write(root, {
            f"gen/pkg{i % 6}/__init__.py": "",
            f"gen/pkg{i % 6}/mod{i}.py": (
                "import asyncio\nimport time\n\n\n"
                f"def helper_{i}():\n    time.sleep({i})\n\n\n"
                f"async def job_{i}(x='é{i}'):\n    helper_{i}()\n    asyncio.sleep(0)\n"
                f"    asyncio.create_task(job_{i}())\n    return await asyncio.create_task(job_{i}())\n"
            ),
        })
    write(root, {"gen/broken.py": "async def f(:\n", "gen/latin.py": "x = 'ü'\n"})
    # (a module beside a package of the same name is never imported, and not checked)
    count = sum(1 for p in root.rglob("*.py") if not (p.with_suffix("") / "__init__.py").is_file())
    return count


class _SpyPool(ProcessPoolExecutor):
    created: list[Any] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        type(self).created.append(kwargs.get("mp_context"))
        super().__init__(*args, **kwargs)


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_parallel_run_equals_serial_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        method: str) -> None:
    root = tmp_path / "tree"
    n = _big_tree(root)
    assert n > _engine._PARALLEL_MIN_FILES
    monkeypatch.setattr(_engine, "_PARALLEL_MIN_FILES", 0)
    monkeypatch.setattr(_engine, "_PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", _SpyPool)  # imported lazily by the engine
    monkeypatch.setattr(_SpyPool, "created", [])
    monkeypatch.setattr(_engine, "_pool_context", lambda: multiprocessing.get_context(method))

    serial = check_paths([root], Config(root=root, cache=False, respect_gitignore=False, jobs=1))
    assert _SpyPool.created == [], "jobs=1 must not start a pool"
    parallel = check_paths([root], Config(root=root, cache=False, respect_gitignore=False, jobs=2))
    assert len(_SpyPool.created) == 1 and _SpyPool.created[0].get_start_method() == method

    assert serial.files_checked == parallel.files_checked == n
    assert len(serial.findings) >= 120
    assert full(parallel) == full(serial)
    assert errors(parallel) == errors(serial)
    # (and the fixtures in newer syntax than this Python's, each reported as such)
    newer = sorted(p.name for p in (HERE / "fixtures" / "newer").glob("py3*.py")
                   if (3, int(p.stem.removeprefix("py3"))) > sys.version_info[:2])
    assert sorted(Path(p).name for p, _, _ in errors(serial)) == sorted(["broken.py", *newer])
    assert {kind for p, kind, _ in errors(serial) if Path(p).name in newer} <= {"newer-python"}
    assert parallel.lines_checked == serial.lines_checked


# ---------------------------------------------------------------------------



NOQA_SOURCE = '''\
import asyncio
import time


async def save():
    await asyncio.sleep(0)


async def handler():
    time.sleep(1)
    time.sleep(1)  # noqa: ADC101
    time.sleep(1)  # noqa: ADC201
    save()  # noqa: ADC101
    save()  # noqa: ADC201
    time.sleep(1); save()  # noqa: ADC101, ADC201
    time.sleep(1); save()  # noqa: ADC101
    time.sleep(1); save()  # noqa:ADC201,ADC101
    time.sleep(1); save()  # noqa
    time.sleep(1); save()  # NOQA
    time.sleep(1); save()  # NOQA: adc101
    time.sleep(1)  # some text # noqa: ADC101 because legacy
    time.sleep(1)  # noqa: ADC999
    time.sleep(1)  # noqa: ADC102
    # noqa: ADC101
    time.sleep(1)
    save()
'''


def test_noqa_silences_exactly_what_it_names() -> None:
    found = sorted((f.line, f.code) for f in check_source(NOQA_SOURCE))
    assert found == [
        (10, "ADC101"),
        (12, "ADC101"),
        (13, "ADC201"),
        (16, "ADC201"),
        (20, "ADC201"),
        (22, "ADC101"),
        (23, "ADC101"),
        (25, "ADC101"),
        (26, "ADC201"),
    ]


PEER_NOQA_SOURCE = '''\
import asyncio
import time


async def job():
    await asyncio.sleep(0)


async def handler():
    asyncio.create_task(job())  # noqa: RUF006 - dangling on purpose
    asyncio.create_task(job())  # noqa: ASYNC300
    time.sleep(1)  # noqa: ASYNC251
    time.sleep(1)  # noqa: RUF006
    asyncio.create_task(job())  # noqa: ASYNC251
'''


def test_noqa_with_a_peer_tools_code_for_the_same_problem() -> None:
    # ruff's and flake8-async's codes silence the rule that names the same problem, and only it.
    found = sorted((f.line, f.code) for f in check_source(PEER_NOQA_SOURCE))
    assert found == [(13, "ADC101"), (14, "ADC301")]


def test_noqa_applies_to_project_findings_across_files(project: Path) -> None:
    (project / "svc/api.py").write_text(
        (project / "svc/api.py").read_text().replace("    pause(1)\n", "    pause(1)  # noqa: ADC101\n"))
    (project / "svc/clock.py").write_text(  # a noqa on the culprit does not silence the caller
        (project / "svc/clock.py").read_text().replace("(seconds)\n", "(seconds)  # noqa\n"))
    result = check_paths([project], Config(root=project, cache=False))
    assert short(result, project) == [("svc/jobs.py", 9, "ADC201"), ("tools/script.py", 5, "ADC101")]


def test_noqa_after_a_form_feed() -> None:
    source = "import time\n\x0c\n\nasync def f():\n    time.sleep(1)  # noqa: ADC101\n    time.sleep(2)\n"
    assert [(f.line, f.code) for f in check_source(source)] == [(6, "ADC101")]


# ---------------------------------------------------------------------------
# select / ignore / per-file-ignores

SELECTION_SOURCE = '''\
import asyncio
import time


async def save():
    await asyncio.sleep(0)


async def compute():
    return 1


async def handler():
    time.sleep(1)
    save()
    asyncio.create_task(save())
    return await asyncio.create_task(compute())
'''


def _codes(**options: Any) -> set[str]:
    config = Config(cache=False, **options)
    return {f.code for f in check_source(SELECTION_SOURCE, config=config)}


def _category(name: str) -> set[str]:
    return {r.code for r in all_rules() if r.category == name}


def test_selection_baseline() -> None:
    assert {"ADC101", "ADC201", "ADC301", "ADC302"} <= _codes()


@pytest.mark.parametrize(
    ("options", "wanted"),
    [
        ({"select": ("ADC101",)}, lambda all_: {"ADC101"}),
        ({"select": ("adc201",)}, lambda all_: {"ADC201"}),
        ({"select": ("ADC3",)}, lambda all_: {c for c in all_ if c.startswith("ADC3")}),
        ({"select": ("ADC",)}, lambda all_: all_),
        ({"select": ("ALL",)}, lambda all_: all_),
        ({"select": ("blocking-call",)}, lambda all_: {"ADC101"}),
        ({"select": ("unnecessary-task", "unawaited-coroutine")}, lambda all_: {"ADC201", "ADC302"}),
        ({"select": ("tasks",)}, lambda all_: all_ & _category("tasks")),
        ({"select": ("blocking", "ADC301")}, lambda all_: {"ADC101", "ADC301"}),
        ({"ignore": ("ADC101",)}, lambda all_: all_ - {"ADC101"}),
        ({"ignore": ("ADC3",)}, lambda all_: {c for c in all_ if not c.startswith("ADC3")}),
        ({"ignore": ("task-reference",)}, lambda all_: all_ - {"ADC301"}),
        ({"ignore": ("coroutines", "blocking")}, lambda all_: all_ - {"ADC101", "ADC201"}),
        ({"ignore": ("ALL",)}, lambda all_: set()),
        ({"select": ("ADC3",), "ignore": ("ADC302",)}, lambda all_: {"ADC301"}),
        ({"select": ("ADC101",), "extend_select": ("tasks",)},
         lambda all_: {"ADC101"} | (all_ & _category("tasks"))),
        ({"select": ("ADC101",), "extend_select": ("ADC201",), "ignore": ("blocking",)},
         lambda all_: {"ADC201"}),
    ],
    ids=lambda v: json.dumps(v, separators=(",", ":")) if isinstance(v, dict) else "-",
)
def test_select_and_ignore(options: dict[str, tuple[str, ...]], wanted: Any) -> None:
    assert _codes(**options) == wanted(_codes())


def test_per_file_ignores(tmp_path: Path) -> None:
    body = "import asyncio\nimport time\n\n\nasync def save():\n    await asyncio.sleep(0)\n\n\n" \
           "async def handler():\n    time.sleep(1)\n    save()\n"
    write(tmp_path, {
        "app/views.py": body,
        "app/legacy/old.py": body,
        "tests/test_views.py": body,
        "scripts/__init__.py": body,
    })
    # (with --preview: a blocking call in test code is weaker evidence)
    config = Config(root=tmp_path, cache=False, preview=True, per_file_ignores=(
        ("app/legacy/*.py", ("ADC101",)),
        ("tests/**", ("coroutines",)),
        ("__init__.py", ("ALL",)),
    ))
    result = check_paths([tmp_path], config)
    assert short(result, tmp_path) == [
        ("app/legacy/old.py", 11, "ADC201"),
        ("app/views.py", 10, "ADC101"),
        ("app/views.py", 11, "ADC201"),
        ("tests/test_views.py", 10, "ADC101"),
    ]


def test_per_file_ignores_apply_where_the_finding_is(project: Path) -> None:
    # The culprit is in svc/clock.py, the finding in svc/api.py: ignoring clock.py changes nothing.
    config = Config(root=project, cache=False, per_file_ignores=(("svc/clock.py", ("ALL",)),))
    assert short(check_paths([project], config), project) == EXPECTED
    config = Config(root=project, cache=False, per_file_ignores=(("svc/api.py", ("blocking",)),))
    assert ("svc/api.py", 7, "ADC101") not in short(check_paths([project], config), project)


# ---------------------------------------------------------------------------
# Module names and relative imports


def test_module_name(tmp_path: Path) -> None:
    write(tmp_path, {
        "top.py": "",
        "pkg/__init__.py": "",
        "pkg/mod.py": "",
        "pkg/sub/__init__.py": "",
        "pkg/sub/deep.py": "",
        "pkg/sub/inner/__init__.py": "",
        "ns/plain.py": "",
        "ns/nested/leaf.py": "",
        "stubs/__init__.pyi": "",
        "stubs/impl.py": "",
    })
    assert module_name(tmp_path / "top.py") == ("top", False)
    assert module_name(tmp_path / "pkg/__init__.py") == ("pkg", True)
    assert module_name(tmp_path / "pkg/mod.py") == ("pkg.mod", False)
    assert module_name(tmp_path / "pkg/sub/__init__.py") == ("pkg.sub", True)
    assert module_name(tmp_path / "pkg/sub/deep.py") == ("pkg.sub.deep", False)
    assert module_name(tmp_path / "pkg/sub/inner/__init__.py") == ("pkg.sub.inner", True)
    # Folders without __init__.py are not packages: the name starts below them.
    assert module_name(tmp_path / "ns/plain.py") == ("plain", False)
    assert module_name(tmp_path / "ns/nested/leaf.py") == ("leaf", False)
    assert module_name(tmp_path / "stubs/impl.py") == ("stubs.impl", False)
    # A relative path names the same module as the absolute one.
    cwd = os.getcwd()
    try:
        os.chdir(tmp_path / "pkg")
        assert module_name(Path("sub/deep.py")) == ("pkg.sub.deep", False)
    finally:
        os.chdir(cwd)


RELATIVE = {
    "app/__init__.py": "",
    "app/util/__init__.py": "from .blocking import pause as pause_for\n",
    "app/util/blocking.py": "import time\n\n\ndef pause(seconds):\n    time.sleep(seconds)\n",
    "app/web/__init__.py": "",
    "app/web/helpers.py": "from ..util.blocking import pause\n\n\ndef load():\n    pause(1)\n",
    "app/web/handlers.py": (
        "from . import helpers\n"
        "from ..util import blocking\n"
        "from ..util.blocking import pause as wait\n"
        "from ..util import pause_for\n"
        "from .helpers import load as fetch\n"
        "\n\n"
        "async def via_sibling_module():\n    helpers.load()\n\n\n"        # 9
        "async def via_parent_package():\n    blocking.pause(1)\n\n\n"      # 13
        "async def via_alias():\n    wait(1)\n\n\n"                         # 17
        "async def via_reexport():\n    pause_for(1)\n\n\n"                 # 21
        "async def via_aliased_helper():\n    fetch()\n\n\n"                # 25
        "def sync_caller():\n    helpers.load()\n"
    ),
}


def test_relative_imports_across_modules(tmp_path: Path) -> None:
    write(tmp_path, RELATIVE)
    result = check_paths([tmp_path], Config(root=tmp_path, cache=False, show_all_sites=True))
    assert result.errors == ()
    found = {(Path(f.path).relative_to(tmp_path).as_posix(), f.line): f for f in result.findings}
    assert sorted(found) == [("app/web/handlers.py", line) for line in (9, 13, 17, 21, 25)]
    assert {f.code for f in found.values()} == {"ADC101"}
    sleep_at = "blocking.py:5"
    # Direct helper in another module: the helper, then time.sleep where it is.
    for line in (13, 17, 21):
        chain = found["app/web/handlers.py", line].chain
        assert len(chain) == 2, chain
        assert "pause" in chain[0]
        assert "time.sleep" in chain[1] and chain[1].endswith(sleep_at), chain
    # Two hops: load() in helpers.py, pause() in blocking.py, then time.sleep.
    for line in (9, 25):
        chain = found["app/web/handlers.py", line].chain
        assert len(chain) == 3, chain
        assert "load" in chain[0]
        assert "pause" in chain[1] and "helpers.py:5" in chain[1], chain
        assert "time.sleep" in chain[2] and chain[2].endswith(sleep_at), chain
    message = found["app/web/handlers.py", 9].message
    assert "time.sleep" in message and "asyncio.to_thread" in message


def test_one_cause_reached_from_many_async_functions_is_one_finding(tmp_path: Path) -> None:
    write(tmp_path, RELATIVE)
    result = check_paths([tmp_path], Config(root=tmp_path, cache=False))
    assert result.errors == ()
    [finding] = result.findings
    assert (Path(finding.path).relative_to(tmp_path).as_posix(), finding.line) == (
        "app/util/blocking.py", 5)
    assert finding.code == "ADC101" and "5 calls in async functions" in finding.message
    assert "--show-all-sites" in finding.message
    assert [site.partition(":")[2].partition(":")[0] for site in finding.sites] == [
        "9", "13", "17", "21", "25"]
    assert all("handlers.py" in site for site in finding.sites)
    # One noqa where the cause is silences it.
    blocking = tmp_path / "app/util/blocking.py"
    lines = blocking.read_text().splitlines()
    lines[4] += "  # noqa: ADC101"
    blocking.write_text("\n".join(lines) + "\n")
    assert check_paths([tmp_path], Config(root=tmp_path, cache=False)).findings == ()


def test_relative_import_beyond_the_top_package_is_harmless(tmp_path: Path) -> None:
    write(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/mod.py": "from .... import nothing\nfrom ...far import away\n\n\n"
                      "async def f():\n    nothing()\n    away()\n",
    })
    result = check_paths([tmp_path], Config(root=tmp_path, cache=False))
    assert result.errors == () and result.findings == ()


@pytest.mark.parametrize("layout", ["namespace-package", "namespace-folder-in-package"])
def test_relative_imports_in_namespace_folders(tmp_path: Path, layout: str) -> None:
    files = {
        "app/services/auth.py": "import time\n\n\ndef slow_login():\n    time.sleep(1)\n",
        "app/api/routes.py": (
            "from ..services.auth import slow_login\n\n\nasync def login():\n    slow_login()\n"
        ),
    }
    if layout == "namespace-folder-in-package":
        files |= {"app/__init__.py": "", "app/services/__init__.py": ""}
    write(tmp_path, files)
    result = check_paths([tmp_path], Config(root=tmp_path, cache=False))
    assert short(result, tmp_path) == [("app/api/routes.py", 5, "ADC101")]


def test_same_module_name_in_two_script_folders(tmp_path: Path) -> None:
    script = "from utils import load\n\n\nasync def main():\n    load()\n"
    write(tmp_path, {
        "a/utils.py": "import time\n\n\ndef load():\n    time.sleep(1)\n",
        "a/main.py": script,
        "b/utils.py": "def load():\n    return 1\n",
        "b/main.py": script,
    })
    result = check_paths([tmp_path], Config(root=tmp_path, cache=False))
    assert short(result, tmp_path) == [("a/main.py", 5, "ADC101")]


def test_check_source_and_check_paths_agree(tmp_path: Path) -> None:
    source = PROJECT["tools/script.py"]
    write(tmp_path, {"script.py": source})
    by_path = check_paths([tmp_path / "script.py"], Config(root=tmp_path, cache=False))
    by_source = check_source(source, path=str(tmp_path / "script.py"))
    assert [(f.line, f.column, f.end_line, f.end_column, f.code, f.message) for f in by_source] == [
        (f.line, f.column, f.end_line, f.end_column, f.code, f.message) for f in by_path.findings
    ]
    assert all(isinstance(f, Finding) for f in by_source)


# ---------------------------------------------------------------------------
# The catalog: selection without loading the rules


def test_the_catalog_is_the_rules() -> None:
    from asyncdoctor.check._catalog import catalog

    assert [(r.code, r.name, r.category) for r in catalog()] == [
        (r.code, r.name, r.category) for r in all_rules()
    ]


def test_a_rule_missing_from_the_catalog_is_refused() -> None:
    from asyncdoctor.check.rules import Rule, register

    class Uncatalogued(Rule):
        code = "ADC999"
        name = "uncatalogued"
        category = "blocking"
        summary = "Not in the catalog"

    with pytest.raises(ValueError, match="RULE_CATALOG"):
        register(Uncatalogued)
