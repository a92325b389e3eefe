"""Stage 3 and the orchestration of one run.

``check_paths`` discovers the files, gets each file's summary (from the
cache, or by analysing it, in a process pool when there is enough work),
builds the project index, runs the project-wide rules, and turns every
report into a :class:`Finding`, minus what ``--select``/``--ignore``,
``per-file-ignores`` and ``# noqa`` silence.
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import sys
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from functools import cache
from pathlib import Path
from typing import Any

from .._version import __version__
from ._analysis import FileSummary, analyse_source
from ._config import Config
from ._discovery import discover_files
from ._index import ProjectIndex, ProjectReport
from ._models import CheckResult, FileError, Finding, RuleInfo
from ._selection import codes_ignored_for, selected_codes
from .rules import all_rules, rule_instances

__all__ = ["check_paths", "check_source", "module_name"]

ProgressFn = Callable[[int, int], None]

# Below this much work, starting worker processes costs more than it saves.
_PARALLEL_MIN_FILES = 48
_PARALLEL_MIN_BYTES = 400_000


def module_name(path: Path) -> tuple[str, bool]:
    """The dotted module name of a file, from the packages (``__init__.py``) above it."""
    path = path.absolute()
    is_package = path.name in ("__init__.py", "__init__.pyi")
    parts: list[str] = [] if is_package else [path.stem]
    directory = path.parent
    while (directory / "__init__.py").is_file() or (directory / "__init__.pyi").is_file():
        parts.append(directory.name)
        parent = directory.parent
        if parent == directory:
            break
        directory = parent
    parts.reverse()
    name = ".".join(p for p in parts if p)
    return (name or path.stem), is_package


@cache
def _engine_fingerprint() -> str:
    """Changes whenever the checker's own code does, so stale cache entries are never used."""
    h = hashlib.blake2b(__version__.encode(), digest_size=8)
    here = Path(__file__).parent
    for p in sorted(here.rglob("*.py")):
        st = p.stat()
        h.update(f"{p.name}:{st.st_size}:{st.st_mtime_ns}".encode())
    return h.hexdigest()


def _cache_key(data: bytes, module: str, is_package: bool) -> str:
    h = hashlib.blake2b(digest_size=16)
    h.update(_engine_fingerprint().encode())
    h.update(f"\0{module}\0{int(is_package)}\0".encode())
    h.update(data)
    return h.hexdigest()


class _Cache:
    """Summaries on disk, one JSON file per content hash."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory / "v1"
        self.ok = True

    def _file(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.json"

    def get(self, key: str) -> dict[str, Any] | None:
        try:
            with open(self._file(key), "rb") as f:
                data = json.loads(f.read())
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def put(self, key: str, payload: str) -> None:
        if not self.ok:
            return
        target = self._file(key)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(payload, encoding="utf-8")
            os.replace(tmp, target)
        except OSError:
            self.ok = False  # read-only tree: carry on without caching


def _ensure_cachedir_tag(directory: Path) -> None:
    try:
        directory.mkdir(parents=True, exist_ok=True)
        tag = directory / "CACHEDIR.TAG"
        if not tag.exists():
            tag.write_text(
                "Signature: 8a477f597d28d172789f06886806bc55\n"
                "# This file is a cache directory tag created by asyncdoctor.\n",
                encoding="utf-8",
            )
        ignore = directory / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# Created by asyncdoctor automatically.\n*\n", encoding="utf-8")
    except OSError:
        pass


def _analyse_job(job: tuple[str, bytes, str, bool]) -> tuple[str, str]:
    path, data, module, is_package = job
    summary = analyse_source(data, path=path, module=module, is_package=is_package)
    return path, json.dumps(summary.to_dict(), separators=(",", ":"))


def _worker_init() -> None:
    # Summaries are acyclic and short-lived: the cycle collector only costs time here.
    gc.disable()


def _pool_context() -> Any:
    import multiprocessing

    if sys.platform != "win32" and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def _analyse_many(
    jobs: list[tuple[str, bytes, str, bool]], jobs_n: int | None, progress: ProgressFn | None,
    done: int, total: int,
) -> Iterable[tuple[str, str]]:
    workers = jobs_n if jobs_n and jobs_n > 0 else (os.cpu_count() or 1)
    size = sum(len(j[1]) for j in jobs)
    if workers <= 1 or len(jobs) < _PARALLEL_MIN_FILES or size < _PARALLEL_MIN_BYTES:
        for job in jobs:
            yield _analyse_job(job)
            done += 1
            if progress is not None:
                progress(done, total)
        return
    # Big files first, so that no worker is left with a giant at the end.
    jobs = sorted(jobs, key=lambda j: -len(j[1]))
    chunk = max(1, min(32, len(jobs) // (workers * 8)))
    with ProcessPoolExecutor(max_workers=workers, mp_context=_pool_context(),
                             initializer=_worker_init) as pool:
        for result in pool.map(_analyse_job, jobs, chunksize=chunk):
            yield result
            done += 1
            if progress is not None:
                progress(done, total)


def _summaries(files: list[Path], config: Config, progress: ProgressFn | None) -> tuple[list[FileSummary], int]:
    cache: _Cache | None = None
    if config.cache:
        directory = config.cache_dir or (config.root / ".asyncdoctor_cache")
        _ensure_cachedir_tag(directory)
        cache = _Cache(directory)
    summaries: list[FileSummary] = []
    jobs: list[tuple[str, bytes, str, bool]] = []
    keys: dict[str, str] = {}
    hits = 0
    total = len(files)
    for path in files:
        spath = str(path)
        try:
            data = path.read_bytes()
        except OSError as exc:
            summaries.append(FileSummary(spath, path.stem, False, 0,
                                         error=("io-error", exc.strerror or str(exc), None, None)))
            continue
        module, is_package = module_name(path)
        if cache is not None:
            key = _cache_key(data, module, is_package)
            cached = cache.get(key)
            if cached is not None:
                try:
                    summaries.append(FileSummary.from_dict(spath, cached))
                    hits += 1
                    continue
                except (KeyError, TypeError, ValueError, IndexError):
                    pass
            keys[spath] = key
        jobs.append((spath, data, module, is_package))
    if progress is not None and hits:
        progress(hits, total)
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        for spath, payload in _analyse_many(jobs, config.jobs, progress, hits, total):
            summaries.append(FileSummary.from_dict(spath, json.loads(payload)))
            if cache is not None and spath in keys:
                cache.put(keys[spath], payload)
    finally:
        if was_enabled:
            gc.enable()
    summaries.sort(key=lambda s: s.path)
    return summaries, hits


@cache
def _rule_table() -> dict[str, RuleInfo]:
    return {r.code: r for r in all_rules()}


def _silenced(noqa: dict[int, list[str]], line: int, code: str) -> bool:
    codes = noqa.get(line)
    if codes is None:
        return False
    return not codes or code in codes


def _finding(path: str, code: str, line: int, col: int, end_line: int, end_col: int, message: str,
             chain: tuple[str, ...]) -> Finding:
    info = _rule_table()[code]
    return Finding(path, line, col, end_line, end_col, code, info.name, info.category, message, chain)


def _run_rules(summaries: list[FileSummary], config: Config, codes: frozenset[str]) -> list[Finding]:
    index = ProjectIndex(summaries, config)
    by_path = {s.path: s for s in summaries}
    ignored_cache: dict[str, frozenset[str]] = {}

    def keep(path: str, code: str, line: int) -> bool:
        if code not in codes:
            return False
        summary = by_path.get(path)
        if summary is not None and _silenced(summary.noqa, line, code):
            return False
        if config.per_file_ignores:
            ignored = ignored_cache.get(path)
            if ignored is None:
                ignored = ignored_cache[path] = codes_ignored_for(path, config)
            if code in ignored:
                return False
        return True

    findings: list[Finding] = []
    for s in index.summaries:
        for r in s.reports:
            if keep(s.path, r.code, r.line) and r.code in _rule_table():
                findings.append(_finding(s.path, r.code, r.line, r.col, r.end_line, r.end_col, r.message, r.chain))
    for rule in rule_instances():
        if rule.code not in codes:
            continue
        reports: Iterable[ProjectReport] = rule.check_project(index)
        for pr in reports:
            if keep(pr.path, pr.code, pr.line):
                findings.append(_finding(pr.path, pr.code, pr.line, pr.col, pr.end_line, pr.end_col,
                                         pr.message, pr.chain))
    findings = sorted(set(findings))
    return findings


def _errors(summaries: list[FileSummary]) -> list[FileError]:
    out: list[FileError] = []
    for s in summaries:
        if s.error is not None:
            kind, message, line, col = s.error
            out.append(FileError(s.path, kind, message, line, col))  # type: ignore[arg-type]
    return out


def check_paths(paths: Sequence[Path], config: Config, *, progress: ProgressFn | None = None) -> CheckResult:
    """Check every Python file under ``paths``; see :class:`CheckResult`."""
    codes = selected_codes(config)
    files = discover_files(list(paths), config)
    summaries, hits = _summaries(files, config, progress)
    findings = _run_rules(summaries, config, codes)
    return CheckResult(
        findings=tuple(findings),
        errors=tuple(_errors(summaries)),
        files_checked=len(files),
        lines_checked=sum(s.lines for s in summaries),
        files_from_cache=hits,
    )


def check_source(source: str, *, path: str = "<string>", config: Config | None = None,
                 module: str = "snippet") -> list[Finding]:
    """Check one piece of source code on its own (used by the docs and the tests)."""
    cfg = config or Config(cache=False)
    summary = analyse_source(source, path=path, module=module)
    if summary.error is not None:
        kind, message, line, col = summary.error
        raise SyntaxError(f"{path}:{line}:{col}: {message}")
    # Round-trip through the cache format, as a real run does.
    summary = FileSummary.from_dict(path, json.loads(json.dumps(summary.to_dict())))
    return _run_rules([summary], cfg, selected_codes(cfg))
