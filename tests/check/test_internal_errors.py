"""A file the checker fails on costs that file, never the run.

A failure is injected at each stage (reading, parsing, the per-file summary
and its way back from the worker, a per-file rule, the project index, a
project rule), in process and in the worker pool, and even a worker dying: the file becomes an ``internal`` error
(``internal error: RuntimeError: boom`` with its path), every other file is
still checked and reported, the exit code is 2, and nothing wrong is cached.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from asyncdoctor.check import CheckResult, Config, _analysis, _engine, _index, check_paths
from asyncdoctor.check.rules.blocking_call import BlockingCall
from asyncdoctor.check.rules.swallowed_cancel import SwallowedCancel
from asyncdoctor.cli import main

BLOCKING = "import time\n\n\nasync def f():\n    time.sleep(1)\n"
SWALLOWING = (
    "import asyncio\n\n\nasync def g():\n    while True:\n        try:\n            await asyncio.sleep(1)\n"
    "        except asyncio.CancelledError:\n            pass\n"
)


def project(root: Path, n: int = 3, padding: int = 0) -> Path:
    """``bad.py`` and ``n`` good files, each with an ADC101 and an ADC601 to find."""
    root.mkdir(parents=True, exist_ok=True)
    filler = "\n".join(f"X{i} = {i}" for i in range(padding))
    for name in ["bad", *(f"good{i}" for i in range(n))]:
        text = f"{BLOCKING}\n\n{SWALLOWING}\n{filler}\n"
        if name == "bad":
            text += "\n\ndef h():\n    import json\n\n    json.only_in_bad()\n"
        (root / f"{name}.py").write_text(text, encoding="utf-8")
    return root


def boom(*_: object, **__: object) -> Any:
    raise RuntimeError("boom")


def only_for_bad(original: Any, path_of: Any) -> Any:
    """``original``, except that it fails when called about ``bad.py``."""

    def patched(*args: Any, **kwargs: Any) -> Any:
        if "bad" in str(path_of(*args, **kwargs)):
            raise RuntimeError("boom")
        return original(*args, **kwargs)

    return patched


def assert_bad_alone_failed(result: CheckResult, root: Path, n: int = 3) -> None:
    assert [(Path(e.path).name, e.kind, e.message) for e in result.errors] == [
        ("bad.py", "internal", "RuntimeError: boom")
    ]
    found = sorted((Path(f.path).name, f.code) for f in result.findings)
    assert found == sorted((f"good{i}.py", code) for i in range(n) for code in ("ADC101", "ADC601"))
    assert result.files_checked == n + 1
    assert result.exit_code == 2


def inject_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_analysis, "parse_module",
                        only_for_bad(_analysis.parse_module, lambda text, path: path))


def inject_summary(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_analysis.ModuleAnalysis, "run",
                        only_for_bad(_analysis.ModuleAnalysis.run, lambda self: self.summary.path))


def inject_file_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(SwallowedCancel, "check_function",
                        only_for_bad(SwallowedCancel.check_function, lambda self, fn: fn.summary.path))


def inject_module_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_engine, "module_name",
                        only_for_bad(_engine.module_name, lambda path, *_: path))


def inject_round_trip(monkeypatch: pytest.MonkeyPatch) -> None:
    # The summary back from the worker (JSON, as the cache keeps it) does not load.
    monkeypatch.setattr(_analysis.FileSummary, "from_dict",
                        only_for_bad(_analysis.FileSummary.from_dict, lambda path, data: path))


def inject_index(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_index, "_path_aliases",
                        only_for_bad(_index._path_aliases, lambda summary: summary.path))


def inject_index_lookup(monkeypatch: pytest.MonkeyPatch) -> None:
    # The index fails when a project rule asks it about a call only bad.py makes.
    original = _index.ProjectIndex.evaluate

    def evaluate(self: _index.ProjectIndex, ref: str, _depth: int = 0) -> Any:
        if ref == "json.only_in_bad":
            raise RuntimeError("boom")
        return original(self, ref, _depth)

    monkeypatch.setattr(_index.ProjectIndex, "evaluate", evaluate)


def inject_project_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    original = BlockingCall.check_project

    def check_project(self: BlockingCall, index: _index.ProjectIndex) -> Iterator[Any]:
        for _info, summary in index.iter_functions():
            if "bad" in summary.path:
                raise RuntimeError("boom")
        yield from original(self, index)

    monkeypatch.setattr(BlockingCall, "check_project", check_project)


STAGES = {
    "reading": inject_module_name,
    "parser": inject_parser,
    "summary": inject_summary,
    "summary round trip": inject_round_trip,
    "file rule": inject_file_rule,
    "index": inject_index,
    "index lookup": inject_index_lookup,
    "project rule": inject_project_rule,
}


@pytest.mark.parametrize("stage", sorted(STAGES))
def test_a_failure_costs_one_file(stage: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = project(tmp_path / "p")
    STAGES[stage](monkeypatch)
    result = check_paths([root], Config(root=root, cache=False, jobs=1))
    assert_bad_alone_failed(result, root)


@pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods(),
    reason="the injected failure reaches the workers by fork",
)
@pytest.mark.parametrize("stage", ["parser", "summary", "file rule"])
def test_a_failure_in_a_worker_process_costs_one_file(
    stage: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Enough files and bytes for the pool (see _engine._PARALLEL_MIN_*), forked so that
    # the workers inherit the injected failure.
    n = _engine._PARALLEL_MIN_FILES + 2
    root = project(tmp_path / "p", n=n, padding=_engine._PARALLEL_MIN_BYTES // n // 6)
    monkeypatch.setattr(_engine, "_pool_context", lambda: multiprocessing.get_context("fork"))
    pools: list[int] = []
    original_pool = _engine._analyse_in_pool

    def in_pool(jobs: list[Any], workers: int) -> Iterator[tuple[str, str]]:
        pools.append(workers)
        yield from original_pool(jobs, workers)

    monkeypatch.setattr(_engine, "_analyse_in_pool", in_pool)
    STAGES[stage](monkeypatch)
    result = check_paths([root], Config(root=root, cache=False, jobs=2))
    assert pools == [2], "the files were not analysed by the pool"
    assert_bad_alone_failed(result, root, n)


@pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods(),
    reason="the dying worker is made by fork",
)
def test_a_worker_that_dies_costs_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    n = _engine._PARALLEL_MIN_FILES + 2
    root = project(tmp_path / "p", n=n, padding=_engine._PARALLEL_MIN_BYTES // n // 6)
    monkeypatch.setattr(_engine, "_pool_context", lambda: multiprocessing.get_context("fork"))
    parent = os.getpid()
    original = _analysis.analyse_source

    def analyse(data: Any, *, path: str, **kwargs: Any) -> Any:
        if "bad" in path and os.getpid() != parent:
            os._exit(1)  # the worker dies: the pool is broken
        return original(data, path=path, **kwargs)

    monkeypatch.setattr(_analysis, "analyse_source", analyse)
    result = check_paths([root], Config(root=root, cache=False, jobs=2))
    assert result.errors == ()
    assert len(result.findings) == 2 * (n + 1)


def test_a_rule_failing_everywhere_is_skipped_once(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    root = project(tmp_path / "p", n=6)

    def check_project(self: BlockingCall, index: _index.ProjectIndex) -> Iterator[Any]:
        for _ in index.iter_functions():
            raise RuntimeError("boom")
        yield from ()

    monkeypatch.setattr(BlockingCall, "check_project", check_project)
    result = check_paths([root], Config(root=root, cache=False, jobs=1))
    internal = [e for e in result.errors if e.kind == "internal"]
    assert len(internal) == _engine._MAX_FILE_FAILURES + 1
    (skipped,) = [e for e in internal if e.path == str(root)]
    assert "ADC101" in skipped.message and "skipped" in skipped.message
    assert {f.code for f in result.findings} == {"ADC601"}  # the other rules still ran


def test_internal_errors_are_not_cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = project(tmp_path / "p")
    config = Config(root=root, cache=True, cache_dir=tmp_path / "cache", jobs=1)
    with monkeypatch.context() as patch:
        inject_summary(patch)
        assert_bad_alone_failed(check_paths([root], config), root)
    again = check_paths([root], config)  # the bug is fixed: bad.py is checked now
    assert again.errors == ()
    assert len(again.findings) == 8
    assert again.files_from_cache == 3


def test_the_command_line_reports_it_and_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # needs engine
    root = project(tmp_path / "p")
    monkeypatch.chdir(root)
    inject_parser(monkeypatch)
    code = main(["check", "--no-cache", "--jobs", "1", "."])
    out, err = capsys.readouterr()
    assert code == 2
    assert "bad.py: error: internal error: RuntimeError: boom\n" in out
    assert out.count("ADC101") == out.count("ADC601") == 3
    assert "Traceback" not in out + err
    assert "1 file could not be checked" in err


def test_check_source_still_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    # check_source serves tests and docs: a bug must show its traceback there.
    from asyncdoctor.check import check_source

    monkeypatch.setattr(_analysis.ModuleAnalysis, "run", boom)
    with pytest.raises(RuntimeError, match="boom"):
        check_source(BLOCKING)


def test_the_message_is_one_line() -> None:
    assert _engine.internal_error(KeyError("k")) == "KeyError: 'k'"
    assert _engine.internal_error(RuntimeError("a\nb")) == "RuntimeError: a"
    assert _engine.internal_error(RecursionError()) == "RecursionError"
