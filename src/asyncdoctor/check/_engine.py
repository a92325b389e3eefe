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
from dataclasses import dataclass
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


def module_name(path: Path, root: Path | None = None,
                memo: dict[str, tuple[str, ...] | None] | None = None) -> tuple[str, bool]:
    """The dotted module name of a file, from the packages (``__init__.py``) above it.

    A file in a folder that is not a package (a script folder, a namespace
    package) is named by its path below ``root`` when it lies under it, as
    ``python -m`` from the root would import it.  ``memo`` caches each
    folder's package name across calls.
    """
    spath = os.path.abspath(path)
    directory, filename = os.path.split(spath)
    is_package = filename in ("__init__.py", "__init__.pyi")
    stem = filename.rpartition(".")[0] or filename
    package = _package_of(directory, {} if memo is None else memo)
    if package is None:
        if not is_package and root is not None:
            rel = os.path.relpath(os.path.splitext(spath)[0], os.path.abspath(root))
            parts = rel.split(os.sep)
            if not rel.startswith("..") and all(p.isidentifier() for p in parts):
                return ".".join(parts), False
        return stem, is_package
    parts = list(package) if is_package else [*package, stem]
    return ".".join(p for p in parts if p) or stem, is_package


def _package_of(directory: str, memo: dict[str, tuple[str, ...] | None]) -> tuple[str, ...] | None:
    """The dotted parts of the package a folder is, or None when it is not one."""
    if directory in memo:
        return memo[directory]
    result: tuple[str, ...] | None = None
    if os.path.isfile(os.path.join(directory, "__init__.py")) or os.path.isfile(
        os.path.join(directory, "__init__.pyi")
    ):
        parent, name = os.path.split(directory)
        outer = _package_of(parent, memo) if parent != directory else None
        result = (*outer, name) if outer is not None else (name,)
    memo[directory] = result
    return result


@cache
def _engine_fingerprint() -> str:
    """Changes whenever the checker's own code does, so stale cache entries are never used."""
    h = hashlib.blake2b(__version__.encode(), digest_size=8)
    here = Path(__file__).parent
    for p in sorted(here.rglob("*.py")):
        st = p.stat()
        h.update(f"{p.name}:{st.st_size}:{st.st_mtime_ns}".encode())
    return h.hexdigest()


def _cache_key(data: bytes, module: str, is_package: bool, siblings: tuple[str, ...]) -> str:
    h = hashlib.blake2b(digest_size=16)
    h.update(_engine_fingerprint().encode())
    h.update(f"\0{module}\0{int(is_package)}\0{','.join(siblings)}\0".encode())
    h.update(data)
    return h.hexdigest()


def _sibling_modules(directory: Path, memo: dict[Path, tuple[str, ...]]) -> tuple[str, ...]:
    """Names importable from a script folder (``sys.path[0]``): its modules and packages."""
    hit = memo.get(directory)
    if hit is None:
        names: set[str] = set()
        try:
            with os.scandir(directory) as entries:
                for entry in entries:
                    if entry.name.endswith(".py") and entry.is_file():
                        names.add(entry.name[:-3])
                    elif entry.is_dir() and entry.name.isidentifier():
                        names.add(entry.name)
        except OSError:
            pass
        hit = memo[directory] = tuple(sorted(n for n in names if n.isidentifier()))
    return hit


class _Cache:
    """Summaries on disk, one JSON file per content hash.

    Beside them, ``files.json`` remembers each file's size, modification
    time and content key, so that an unchanged file is not even read; and
    ``runs/`` keeps the findings of whole runs, keyed by every file's
    content key and the settings, so that re-checking an unchanged tree
    costs only a ``stat`` per file.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory / "v1"
        self.ok = True
        self.stats: dict[str, list[Any]] = {}
        self._stats_file = self.directory / "files.json"
        try:
            data = json.loads(self._stats_file.read_bytes())
            if isinstance(data, dict):
                self.stats = data
        except (OSError, ValueError):
            pass
        self._stats_dirty = False

    def known_key(self, path: str, st: os.stat_result, module: str, is_package: bool,
                  siblings: tuple[str, ...]) -> str | None:
        entry = self.stats.get(path)
        if (
            isinstance(entry, list)
            and len(entry) == 6
            and entry[5] == ",".join(siblings)
            and entry[0] == st.st_mtime_ns
            and entry[1] == st.st_size
            and entry[3] == module
            and entry[4] == is_package
            and isinstance(entry[2], str)
        ):
            return entry[2]
        return None

    def remember(self, path: str, st: os.stat_result, key: str, module: str, is_package: bool,
                 siblings: tuple[str, ...]) -> None:
        self.stats[path] = [st.st_mtime_ns, st.st_size, key, module, is_package, ",".join(siblings)]
        self._stats_dirty = True

    def save_stats(self) -> None:
        if self._stats_dirty:
            self._write(self._stats_file, json.dumps(self.stats, separators=(",", ":")))

    def get_run(self, key: str) -> dict[str, Any] | None:
        try:
            data = json.loads((self.directory / "runs" / f"{key}.json").read_bytes())
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def put_run(self, key: str, payload: dict[str, Any]) -> None:
        runs = self.directory / "runs"
        try:
            old = sorted(runs.glob("*.json"), key=lambda p: p.stat().st_mtime)[:-15]
            for stale in old:
                stale.unlink()
        except OSError:
            pass
        self._write(runs / f"{key}.json", json.dumps(payload, separators=(",", ":")))

    def _write(self, target: Path, payload: str) -> None:
        if not self.ok:
            return
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(payload, encoding="utf-8")
            os.replace(tmp, target)
        except OSError:
            self.ok = False  # read-only tree: carry on without caching

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
        self._write(self._file(key), payload)


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


_Job = tuple[str, bytes, str, bool, tuple[str, ...]]


def _analyse_job(job: _Job) -> tuple[str, str]:
    path, data, module, is_package, siblings = job
    summary = analyse_source(data, path=path, module=module, is_package=is_package,
                             siblings=siblings)
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
    jobs: list[_Job], jobs_n: int | None, progress: ProgressFn | None,
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
    from concurrent.futures import ProcessPoolExecutor  # only when there is work for a pool

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


def _open_cache(config: Config) -> _Cache | None:
    if not config.cache:
        return None
    directory = config.cache_dir
    if directory is None:
        base = config.root if (config.root / "pyproject.toml").is_file() else Path.cwd()
        directory = base / ".asyncdoctor_cache"
    _ensure_cachedir_tag(directory)
    return _Cache(directory)


@dataclass(slots=True)
class _Source:
    path: str
    module: str
    is_package: bool
    siblings: tuple[str, ...] = ()
    key: str | None = None
    data: bytes | None = None
    error: str | None = None


def _sources(files: list[Path], cache: _Cache | None, root: Path) -> list[_Source]:
    """Name every file's module and, with a cache, its content key (reading only changed files)."""
    out: list[_Source] = []
    memo: dict[Path, tuple[str, ...]] = {}
    packages: dict[str, tuple[str, ...] | None] = {}
    for path in files:
        spath = str(path)
        module, is_package = module_name(path, root, packages)
        siblings: tuple[str, ...] = ()
        if "." in module and not is_package:
            parent = path.absolute().parent
            if not (parent / "__init__.py").is_file():
                siblings = _sibling_modules(parent, memo)
        src = _Source(spath, module, is_package, siblings)
        out.append(src)
        try:
            st = path.stat() if cache is not None else None
            if cache is not None and st is not None:
                src.key = cache.known_key(spath, st, module, is_package, siblings)
                if src.key is not None:
                    continue
            src.data = path.read_bytes()
        except OSError as exc:
            src.error = exc.strerror or str(exc)
            continue
        if cache is not None and st is not None:
            src.key = _cache_key(src.data, module, is_package, siblings)
            cache.remember(spath, st, src.key, module, is_package, siblings)
    return out


def _summaries(sources: list[_Source], cache: _Cache | None, config: Config,
               progress: ProgressFn | None) -> tuple[list[FileSummary], int]:
    summaries: list[FileSummary] = []
    jobs: list[_Job] = []
    keys: dict[str, str] = {}
    hits = 0
    total = len(sources)
    for src in sources:
        if src.error is not None:
            summaries.append(FileSummary(src.path, src.module, src.is_package, 0,
                                         error=("io-error", src.error, None, None)))
            continue
        if cache is not None and src.key is not None:
            cached = cache.get(src.key)
            if cached is not None:
                try:
                    summaries.append(FileSummary.from_dict(src.path, cached))
                    hits += 1
                    continue
                except Exception:  # any damaged entry is re-analysed
                    pass
            keys[src.path] = src.key
        data = src.data
        if data is None:
            try:
                data = Path(src.path).read_bytes()
            except OSError as exc:
                summaries.append(FileSummary(src.path, src.module, src.is_package, 0,
                                             error=("io-error", exc.strerror or str(exc), None, None)))
                continue
        jobs.append((src.path, data, src.module, src.is_package, src.siblings))
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


def _run_key(sources: list[_Source], config: Config, codes: frozenset[str]) -> str | None:
    if any(src.key is None for src in sources):
        return None
    h = hashlib.blake2b(digest_size=16)
    h.update(_engine_fingerprint().encode())
    settings = [sorted(codes), list(config.per_file_ignores), sorted(config.blocking_functions),
                sorted(config.safe_functions), str(config.root), os.getcwd()]
    h.update(json.dumps(settings, default=str).encode())
    for src in sources:
        h.update(f"\0{src.path}\0{src.key}".encode())
    return h.hexdigest()


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
    cache = _open_cache(config)
    sources = _sources(files, cache, config.root)
    run_key = _run_key(sources, config, codes) if cache is not None else None
    if cache is not None and run_key is not None:
        stored = cache.get_run(run_key)
        result = _result_from_json(stored, len(files)) if stored is not None else None
        if result is not None:
            if progress is not None:
                progress(len(files), len(files))
            cache.save_stats()
            return result
    summaries, hits = _summaries(sources, cache, config, progress)
    findings = _run_rules(summaries, config, codes)
    result = CheckResult(
        findings=tuple(findings),
        errors=tuple(_errors(summaries)),
        files_checked=len(files),
        lines_checked=sum(s.lines for s in summaries),
        files_from_cache=hits,
    )
    if cache is not None:
        cache.save_stats()
        if run_key is not None:
            cache.put_run(run_key, _result_to_json(result))
    return result


def _result_to_json(result: CheckResult) -> dict[str, Any]:
    return {
        "findings": [[*astuple_finding(f)] for f in result.findings],
        "errors": [[e.path, e.kind, e.message, e.line, e.column] for e in result.errors],
        "lines": result.lines_checked,
    }


def astuple_finding(f: Finding) -> list[Any]:
    return [f.path, f.line, f.column, f.end_line, f.end_column, f.code, f.name, f.category,
            f.message, list(f.chain)]


def _result_from_json(data: dict[str, Any], files: int) -> CheckResult | None:
    try:
        findings = tuple(
            Finding(p, ln, c, el, ec, code, name, cat, msg, tuple(chain))
            for p, ln, c, el, ec, code, name, cat, msg, chain in data["findings"]
        )
        errors = tuple(FileError(p, k, m, ln, c) for p, k, m, ln, c in data["errors"])
        return CheckResult(findings=findings, errors=errors, files_checked=files,
                           lines_checked=int(data["lines"]), files_from_cache=files)
    except Exception:  # a damaged entry means: run again
        return None


def check_source(source: str, *, path: str = "<string>", config: Config | None = None,
                 module: str = "snippet") -> list[Finding]:
    """Check one piece of source code on its own (used by the docs and the tests)."""
    cfg = config or Config(cache=False)
    summary = analyse_source(source, path=path, module=module)
    if summary.error is not None:
        _kind, message, line, col = summary.error
        raise SyntaxError(f"{path}:{line}:{col}: {message}")
    # Round-trip through the cache format, as a real run does.
    summary = FileSummary.from_dict(path, json.loads(json.dumps(summary.to_dict())))
    return _run_rules([summary], cfg, selected_codes(cfg))
