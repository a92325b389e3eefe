"""Stage 3 and the orchestration of one run.

``check_paths`` discovers the files, gets each file's summary (from the
cache, or by analysing it, in a process pool when there is enough work),
builds the project index, runs the project-wide rules, and turns every
report into a :class:`Finding`, minus what ``--select``/``--ignore``,
``per-file-ignores`` and ``# noqa`` silence.
"""

from __future__ import annotations

import dataclasses
import gc
import hashlib
import json
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._version import __version__
from ._catalog import catalog
from ._config import Config
from ._discovery import discover_files
from ._models import CheckResult, FileError, Finding, RuleInfo
from ._selection import codes_ignored_for, selected_codes

if TYPE_CHECKING:
    # Imported where they are used: a run served from the cache needs none of them.
    from ._analysis import FileSummary
    from ._index import ProjectReport
    from .rules import Rule

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
    """Changes whenever the checker's own code or the Python running it does.

    Stale cache entries are never used; and what parses (and how) depends on
    the Python version, so each version has entries of its own.
    """
    h = hashlib.blake2b(__version__.encode(), digest_size=8)
    h.update(f"{sys.implementation.name}{sys.version_info[:2]}".encode())
    here = os.path.dirname(__file__)
    for folder in (here, os.path.join(here, "rules")):
        with os.scandir(folder) as entries:
            for entry in sorted(entries, key=lambda e: e.name):
                if entry.name.endswith(".py"):
                    st = entry.stat()
                    h.update(f"{entry.name}:{st.st_size}:{st.st_mtime_ns}".encode())
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


def internal_error(exc: BaseException) -> str:
    """How a failure of the checker itself on one file is told: ``ValueError: boom``."""
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


#: The ``siblings`` of a job for an installed library's module (see ``_installed_libraries``):
#: it is analysed without the per-file rules, and cached apart from a project file's summary.
_LIBRARY = ("<installed library>",)


def _analyse_job(job: _Job) -> tuple[str, str]:
    """One file's summary as JSON; any failure of ours becomes an ``internal`` error in it."""
    from ._analysis import FileSummary, analyse_source

    path, data, module, is_package, siblings = job
    try:
        if siblings == _LIBRARY:
            # An installed library's module: read for what it does, never reported on.
            summary = analyse_source(data, path=path, module=module, is_package=is_package, rules=())
        else:
            summary = analyse_source(data, path=path, module=module, is_package=is_package,
                                     siblings=siblings)
        return path, json.dumps(summary.to_dict(), separators=(",", ":"))
    except Exception as exc:  # a bug of ours must cost one file, not the run
        failed = FileSummary(path, module, is_package, 0,
                             error=("internal", internal_error(exc), None, None))
        return path, json.dumps(failed.to_dict(), separators=(",", ":"))


def _worker_init() -> None:
    from . import _analysis

    # Summaries are acyclic and short-lived: the cycle collector only costs time here;
    # and what a file's analysis leaves behind goes when the worker exits (see
    # _WORKER_BUDGET_BYTES).
    gc.disable()
    _analysis.FREE_TREES = False


def _pool_context() -> Any:
    import multiprocessing
    import threading

    if sys.platform != "win32" and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def _analyse_many(
    jobs: list[_Job], jobs_n: int | None, progress: ProgressFn | None,
    done: int, total: int,
) -> Iterator[tuple[str, str]]:
    workers = jobs_n if jobs_n and jobs_n > 0 else (os.cpu_count() or 1)
    size = sum(len(j[1]) for j in jobs)
    if workers <= 1 or len(jobs) < _PARALLEL_MIN_FILES or size < _PARALLEL_MIN_BYTES:
        results: Iterable[tuple[str, str]] = map(_analyse_job, jobs)
    else:
        # Big files first, so that no worker is left with a giant at the end.
        results = _analyse_in_pool(sorted(jobs, key=lambda j: -len(j[1])), workers)
    for result in results:
        yield result
        done += 1
        if progress is not None:
            progress(done, total)


#: Source bytes a worker analyses before it is replaced by a fresh one.  Workers do not
#: free the syntax trees of the files they analyse (freeing millions of small nodes one
#: by one costs about a third of the analysis): the operating system takes them back at
#: once when the worker exits.  This bounds a worker's memory (about 40 bytes of it per
#: byte of source) on a tree of any size.
_WORKER_BUDGET_BYTES = 10_000_000


def _analyse_in_pool(jobs: list[_Job], workers: int) -> Iterator[tuple[str, str]]:
    group: list[_Job] = []
    size = 0
    for job in jobs:
        group.append(job)
        size += len(job[1])
        if size >= workers * _WORKER_BUDGET_BYTES:
            yield from _analyse_group(group, workers)
            group, size = [], 0
    if group:
        yield from _analyse_group(group, workers)


def _analyse_group(jobs: list[_Job], workers: int) -> Iterator[tuple[str, str]]:
    from concurrent.futures import ProcessPoolExecutor  # only when there is work for a pool
    from concurrent.futures.process import BrokenProcessPool

    chunk = max(1, min(32, len(jobs) // (workers * 8)))
    finished = 0
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=_pool_context(),
                                 initializer=_worker_init) as pool:
            for result in pool.map(_analyse_job, jobs, chunksize=chunk):
                yield result
                finished += 1
    except BrokenProcessPool:
        # A worker died (killed, out of memory): what it left undone is done here.
        yield from map(_analyse_job, jobs[finished:])


def _open_cache(config: Config) -> _Cache | None:
    if not config.cache:
        return None
    directory = config.cache_dir
    if directory is None:
        base = config.root if (config.root / "pyproject.toml").is_file() else Path.cwd()
        directory = base / ".asyncdoctor_cache"
    _ensure_cachedir_tag(directory)
    return _Cache(directory)


_Error = tuple[str, str]  # (kind, message)


def _cannot_read(exc: OSError) -> str:
    return f"cannot read: {exc.strerror or exc}"


class _Source:
    """One file to check: its module name, and its content key or bytes, or why not."""

    __slots__ = ("data", "error", "is_package", "key", "module", "path", "siblings")

    def __init__(self, path: str, module: str = "", is_package: bool = False,
                 siblings: tuple[str, ...] = ()) -> None:
        self.path = path
        self.module = module
        self.is_package = is_package
        self.siblings = siblings
        self.key: str | None = None
        self.data: bytes | None = None
        self.error: _Error | None = None


def _sources(files: list[Path], cache: _Cache | None, root: Path) -> list[_Source]:
    """Name every file's module and, with a cache, its content key (reading only changed files)."""
    out: list[_Source] = []
    memo: dict[Path, tuple[str, ...]] = {}
    packages: dict[str, tuple[str, ...] | None] = {}
    for path in files:
        try:
            out.append(_source(path, cache, root, memo, packages))
        except Exception as exc:  # a bug of ours must cost one file, not the run
            src = _Source(str(path), path.stem)
            src.error = ("internal", internal_error(exc))
            out.append(src)
    return out


def _source(path: Path, cache: _Cache | None, root: Path, memo: dict[Path, tuple[str, ...]],
            packages: dict[str, tuple[str, ...] | None]) -> _Source:
    spath = str(path)
    module, is_package = module_name(path, root, packages)
    siblings: tuple[str, ...] = ()
    if "." in module and not is_package:
        parent = path.absolute().parent
        if not (parent / "__init__.py").is_file():
            siblings = _sibling_modules(parent, memo)
    return _read(_Source(spath, module, is_package, siblings), path, cache)


def _read(src: _Source, path: Path, cache: _Cache | None) -> _Source:
    """Fill in a file's content key from the cache's stats, or read the file (and key it)."""
    try:
        st = path.stat() if cache is not None else None
        if cache is not None and st is not None:
            src.key = cache.known_key(src.path, st, src.module, src.is_package, src.siblings)
            if src.key is not None:
                return src
        src.data = path.read_bytes()
    except OSError as exc:
        src.error = ("unreadable", _cannot_read(exc))
        return src
    if cache is not None and st is not None:
        src.key = _cache_key(src.data, src.module, src.is_package, src.siblings)
        cache.remember(src.path, st, src.key, src.module, src.is_package, src.siblings)
    return src


def _summaries(sources: list[_Source], cache: _Cache | None, config: Config,
               progress: ProgressFn | None) -> tuple[list[FileSummary], int]:
    from ._analysis import FileSummary

    summaries: list[FileSummary] = []
    jobs: list[_Job] = []
    keys: dict[str, str] = {}
    hits = 0
    total = len(sources)
    for src in sources:
        if src.error is not None:
            summaries.append(FileSummary(src.path, src.module, src.is_package, 0,
                                         error=(*src.error, None, None)))
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
                                             error=("unreadable", _cannot_read(exc), None, None)))
                continue
        jobs.append((src.path, data, src.module, src.is_package, src.siblings))
    if progress is not None and hits:
        progress(hits, total)
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        for spath, payload in _analyse_many(jobs, config.jobs, progress, hits, total):
            try:
                summary = FileSummary.from_dict(spath, json.loads(payload))
            except Exception as exc:  # a bug of ours must cost one file, not the run
                module, is_package = next((s.module, s.is_package) for s in sources
                                          if s.path == spath)
                summary = FileSummary(spath, module, is_package, 0,
                                      error=("internal", internal_error(exc), None, None))
            summaries.append(summary)
            internal = summary.error is not None and summary.error[0] == "internal"
            if cache is not None and spath in keys and not internal:
                cache.put(keys[spath], payload)
    finally:
        if was_enabled:
            gc.enable()
    summaries.sort(key=lambda s: s.path)
    return summaries, hits


def _environment_key() -> str:
    """Changes when ``sys.path`` or what is installed on it changes (see ``_installed``)."""
    h = hashlib.blake2b(digest_size=8)
    for entry in sys.path:
        h.update(entry.encode("utf-8", "surrogateescape") + b"\0")
        try:
            st = os.stat(entry or ".")
        except OSError:
            continue
        # A folder's mtime changes when a distribution is added, removed or upgraded in it.
        h.update(f"{st.st_mtime_ns}".encode())
    return h.hexdigest()


def _installed_libraries(summaries: list[FileSummary], cache: _Cache | None,
                         config: Config) -> list[FileSummary]:
    """Summaries of the installed library modules the project uses (see :mod:`._installed`)."""
    from ._installed import LibraryFile, library_files

    # In this process: a few rounds of small batches would each pay for a pool's start.
    serial = dataclasses.replace(config, jobs=1)

    def analyse(batch: list[LibraryFile]) -> list[FileSummary]:
        sources = [_library_source(path, module, is_package, cache) for path, module, is_package in batch]
        learned, _hits = _summaries(sources, cache, serial, None)
        return learned

    try:
        return library_files([s for s in summaries if s.error is None], analyse)
    except Exception:  # a library we cannot read is a library we do not learn from
        return []


def _library_source(path: Path, module: str, is_package: bool, cache: _Cache | None) -> _Source:
    return _read(_Source(str(path), module, is_package, _LIBRARY), path, cache)


def _run_key(sources: list[_Source], config: Config, codes: frozenset[str]) -> str | None:
    if any(src.key is None for src in sources):
        return None
    h = hashlib.blake2b(digest_size=16)
    h.update(_engine_fingerprint().encode())
    settings = [sorted(codes), list(config.per_file_ignores), sorted(config.blocking_functions),
                sorted(config.safe_functions), str(config.root), os.getcwd(), config.preview,
                config.show_all_sites]
    if config.learn_installed:
        settings.append(_environment_key())
    h.update(json.dumps(settings, default=str).encode())
    for src in sources:
        h.update(f"\0{src.path}\0{src.key}".encode())
    return h.hexdigest()


@cache
def _rule_table() -> dict[str, RuleInfo]:
    return {r.code: r for r in catalog()}


#: Codes of ruff and flake8-async that name the same problem as one of ours: a
#: line a maintainer already silenced for those tools is silenced for ours too.
PEER_CODES: dict[str, str] = {
    "RUF006": "ADC301",  # asyncio-dangling-task
    "ASYNC300": "ADC301",  # create-task-no-reference
    "ASYNC105": "ADC201",  # trio function not awaited
    "ASYNC110": "ADC503",  # busy wait with sleep
    **dict.fromkeys(
        # blocking HTTP, subprocess, file, os.path, input and time.sleep calls
        ("ASYNC210", "ASYNC211", "ASYNC212", "ASYNC220", "ASYNC221", "ASYNC222", "ASYNC230",
         "ASYNC231", "ASYNC232", "ASYNC240", "ASYNC250", "ASYNC251"),
        "ADC101",
    ),
}


def _silenced(noqa: dict[int, list[str]], line: int, code: str) -> bool:
    codes = noqa.get(line)
    if codes is None:
        return False
    return not codes or code in codes or any(PEER_CODES.get(c) == code for c in codes)


#: Rules whose findings in test code are weaker evidence (``--preview``): a test's loop
#: runs little besides the test, and a client, a task or a file per test is the norm.
#: A coroutine never awaited, a cancellation swallowed, a loop run inside a loop or a
#: lock held across an await stay default there: the test does not test what it says.
_TEST_WEAK = frozenset(
    {"ADC101", "ADC301", "ADC302", "ADC401", "ADC402", "ADC501", "ADC502", "ADC503", "ADC504", "ADC505"}
)
def _finding(path: str, code: str, line: int, col: int, end_line: int, end_col: int, message: str,
             chain: tuple[str, ...], preview: bool = False, sites: tuple[str, ...] = ()) -> Finding:
    info = _rule_table()[code]
    return Finding(path, line, col, end_line, end_col, code, info.name, info.category, message, chain,
                   sites, preview)


def _grouped(reports: list[ProjectReport], show_all_sites: bool) -> Iterator[ProjectReport | Finding]:
    """One finding per cause: reports sharing a :class:`Group` become one, where it can be fixed.

    A group reached from one site only stays a report at that site, as does
    every report under ``show-all-sites``.
    """
    from ._index import _display_path

    groups: dict[tuple[str, str, int, int], list[ProjectReport]] = {}
    for pr in reports:
        if pr.group is None or show_all_sites:
            yield pr
        else:
            key = (pr.code, pr.group.path, pr.group.line, pr.group.col)
            groups.setdefault(key, []).append(pr)
    for (code, *_where), members in groups.items():
        if len(members) == 1:
            yield members[0]
            continue
        members.sort(key=lambda m: (m.path, m.line, m.col))
        first = members[0]
        group = first.group
        assert group is not None
        sites = tuple(f"{_display_path(m.path)}:{m.line}: {m.label or (m.chain[0] if m.chain else '')}".rstrip(": ")
                      for m in members)
        message = group.message.format(count=len(members), first=sites[0])
        yield _finding(group.path, code, group.line, group.col, group.end_line, group.end_col,
                       message, group.chain or first.chain[1:],
                       all(m.preview for m in members), sites)



def _project_stage(summaries: list[FileSummary], config: Config, codes: frozenset[str],
                   library: list[FileSummary] | None = None) -> tuple[list[Finding], list[FileError]]:
    """The findings of the project-wide stage; a file it fails on becomes an ``internal`` error.

    Such a file is left out and the stage runs again without it, so that the
    other files are still checked.  A rule that fails on no file in particular,
    or on several, is left out instead (reported against the project root).
    """
    from .rules import rule_instances

    kept = [s for s in summaries if s.error is None]
    rules = [rule for rule in rule_instances() if rule.code in codes]
    errors: list[FileError] = []
    failures: dict[str, int] = {}
    while True:
        tracker = _Tracker()
        try:
            return _run_rules(kept, config, codes, rules, tracker, library), errors
        except Exception as exc:
            if library:
                # What was learned from installed libraries must never cost the project's check.
                errors.append(FileError(str(config.root), "internal",
                                        f"{internal_error(exc)} (with what was learned from installed "
                                        f"libraries; checked again without it)"))
                library = None
                continue
            rule, culprit = tracker.rule, tracker.current
            if culprit is None and rule is None:
                culprit = _index_culprit(kept, config)
            message = internal_error(exc)
            if rule is not None:
                failures[rule.code] = failures.get(rule.code, 0) + 1
            if culprit is not None and (rule is None or failures[rule.code] <= _MAX_FILE_FAILURES):
                errors.append(FileError(culprit.path, "internal", message))
                kept = [s for s in kept if s is not culprit]
            elif rule is not None:
                where = f" on {culprit.path}" if culprit is not None else ""
                errors.append(FileError(str(config.root), "internal",
                                        f"{message} (in {rule.code}{where}; the rule was skipped)"))
                rules = [r for r in rules if r is not rule]
            else:
                errors.append(FileError(str(config.root), "internal", message))
                return [], errors


# A rule failing on more files than this is skipped for the run, rather than each file.
_MAX_FILE_FAILURES = 3


class _Tracker:
    """What the project stage was looking at: a rule, and a file the index was giving it."""

    __slots__ = ("current", "rule")

    def __init__(self) -> None:
        self.current: FileSummary | None = None
        self.rule: Rule | None = None


def _index_culprit(summaries: list[FileSummary], config: Config) -> FileSummary | None:
    """The summary the project index cannot be built with, if one alone is to blame."""
    from ._index import ProjectIndex

    for summary in summaries:
        try:
            ProjectIndex([summary], config)
        except Exception:
            return summary
    return None


def _run_rules(summaries: list[FileSummary], config: Config, codes: frozenset[str],
               rules: Sequence[Rule], tracker: _Tracker | None = None,
               library: list[FileSummary] | None = None) -> list[Finding]:
    from ._analysis import DEBUG_FLAG, DEPRECATED_FLAG, TEST_CODE_FLAG
    from ._index import ProjectIndex
    from .rules._util import is_test_module, is_vendored_module

    index = ProjectIndex(summaries, config, library=library)
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

    preview = config.preview
    tests: dict[str, bool] = {}
    vendored: dict[str, bool] = {}
    spans: dict[str, list[tuple[bool, int, int]]] = {}

    def weak_here(path: str, code: str, line: int, *, debug_only: bool = False) -> bool:
        """Whether ``code`` is weaker evidence here: a copy of another project's code kept
        in this one (any rule: its maintainers fix it upstream), test code (a test module,
        a pytest fixture shipped in the package), code marked deprecated, or code that runs
        only under a debugging switch (only the last with ``debug_only``; see
        ``_TEST_WEAK``)."""
        if not debug_only:
            copied = vendored.get(path)
            if copied is None:
                summary = by_path.get(path)
                copied = vendored[path] = summary is not None and is_vendored_module(summary.module)
            if copied:
                return True
        if code not in _TEST_WEAK:
            return False
        hit = tests.get(path)
        if hit is None:
            summary = by_path.get(path)
            hit = tests[path] = summary is not None and is_test_module(summary.module)
            spans[path] = [
                (flag.startswith(DEBUG_FLAG), int(a), int(b))
                for flag in (summary.flags if summary is not None else ())
                if flag.startswith((DEPRECATED_FLAG, DEBUG_FLAG, TEST_CODE_FLAG))
                for a, _, b in [flag.partition(":")[2].partition("-")]
            ]
        if debug_only:
            return any(debug and a <= line <= b for debug, a, b in spans[path])
        return hit or any(a <= line <= b for _, a, b in spans[path])

    def weak_report(pr: ProjectReport) -> bool:
        """A report's site is weak, or the cause it reaches runs only when debugging."""
        return weak_here(pr.path, pr.code, pr.line) or (
            pr.group is not None and weak_here(pr.group.path, pr.code, pr.group.line, debug_only=True))

    findings: list[Finding] = []
    for s in index.summaries:
        if tracker is not None:
            tracker.current = s
        for r in s.reports:
            weak = r.preview or weak_here(s.path, r.code, r.line)
            if (preview or not weak) and keep(s.path, r.code, r.line) and r.code in _rule_table():
                findings.append(_finding(s.path, r.code, r.line, r.col, r.end_line, r.end_col, r.message,
                                         r.chain, weak))
    for rule in rules:
        if tracker is not None:
            tracker.rule = rule
            tracker.current = None
            index.on_file = _following(tracker)
        reports: Iterable[ProjectReport] = rule.check_project(index)
        kept = [
            pr if pr.preview or not weak_report(pr) else dataclasses.replace(pr, preview=True)
            for pr in reports
        ]
        kept = [pr for pr in kept if (preview or not pr.preview) and keep(pr.path, pr.code, pr.line)]
        for item in _grouped(kept, config.show_all_sites):
            if isinstance(item, Finding):
                if keep(item.path, item.code, item.line):
                    findings.append(item)
            else:
                findings.append(_finding(item.path, item.code, item.line, item.col, item.end_line,
                                         item.end_col, item.message, item.chain, item.preview))
    findings = sorted(set(findings))
    return findings


def _following(tracker: _Tracker) -> Callable[[FileSummary], None]:
    def on_file(summary: FileSummary) -> None:
        tracker.current = summary

    return on_file


def _errors(summaries: list[FileSummary]) -> list[FileError]:
    out: list[FileError] = []
    for s in summaries:
        if s.error is not None:
            kind, message, line, col = s.error
            out.append(FileError(s.path, kind, message, line, col))  # type: ignore[arg-type]
    return out


def check_paths(paths: Sequence[Path], config: Config, *, progress: ProgressFn | None = None) -> CheckResult:
    """Check every Python file under ``paths``; see :class:`CheckResult`.

    A file that cannot be checked (unreadable, a syntax error, newer syntax,
    a failure of the checker on it) is a :class:`FileError` in the result;
    every other file is still checked.
    """
    codes = selected_codes(config)
    files = discover_files(list(paths), config)
    cache = _open_cache(config)
    sources = _sources(files, cache, config.root)
    run_key = _run_key(sources, config, codes) if cache is not None else None
    if cache is not None and run_key is not None:
        stored = cache.get_run(run_key)
        result = _result_from_json(stored, len(files)) if stored is not None else None
        if result is not None and stored is not None and not _library_unchanged(stored):
            result = None  # an installed library read last time has changed since
        if result is not None:
            if progress is not None:
                progress(len(files), len(files))
            cache.save_stats()
            return result
    summaries, hits = _summaries(sources, cache, config, progress)
    library = _installed_libraries(summaries, cache, config) if config.learn_installed else None
    findings, failed = _project_stage(summaries, config, codes, library)
    errors = sorted([*_errors(summaries), *failed], key=lambda e: (e.path, e.line or 0))
    result = CheckResult(
        findings=tuple(findings),
        errors=tuple(errors),
        files_checked=len(files),
        lines_checked=sum(s.lines for s in summaries),
        files_from_cache=hits,
    )
    if cache is not None:
        cache.save_stats()
        if run_key is not None and not any(e.kind == "internal" for e in errors):
            cache.put_run(run_key, {**_result_to_json(result), "library": _library_stamps(library)})
    return result


def _library_stamps(library: list[FileSummary] | None) -> list[list[Any]]:
    """Size and modification time of each library file a run read (an edited one means: run again)."""
    stamps: list[list[Any]] = []
    for s in library or ():
        try:
            st = os.stat(s.path)
        except OSError:
            continue
        stamps.append([s.path, st.st_mtime_ns, st.st_size])
    return stamps


def _library_unchanged(stored: dict[str, Any]) -> bool:
    stamps = stored.get("library", [])
    if not isinstance(stamps, list):
        return False
    for entry in stamps:
        try:
            path, mtime, size = entry
            st = os.stat(path)
        except (OSError, TypeError, ValueError):
            return False
        if st.st_mtime_ns != mtime or st.st_size != size:
            return False
    return True


def _result_to_json(result: CheckResult) -> dict[str, Any]:
    return {
        "findings": [[*astuple_finding(f)] for f in result.findings],
        "errors": [[e.path, e.kind, e.message, e.line, e.column] for e in result.errors],
        "lines": result.lines_checked,
    }


def astuple_finding(f: Finding) -> list[Any]:
    return [f.path, f.line, f.column, f.end_line, f.end_column, f.code, f.name, f.category,
            f.message, list(f.chain), list(f.sites), f.preview]


def _result_from_json(data: dict[str, Any], files: int) -> CheckResult | None:
    try:
        findings = tuple(
            Finding(p, ln, c, el, ec, code, name, cat, msg, tuple(chain), tuple(sites), bool(preview))
            for p, ln, c, el, ec, code, name, cat, msg, chain, sites, preview in data["findings"]
        )
        errors = tuple(FileError(p, k, m, ln, c) for p, k, m, ln, c in data["errors"])
        return CheckResult(findings=findings, errors=errors, files_checked=files,
                           lines_checked=int(data["lines"]), files_from_cache=files)
    except Exception:  # a damaged entry means: run again
        return None


def check_source(source: str, *, path: str = "<string>", config: Config | None = None,
                 module: str = "snippet") -> list[Finding]:
    """Check one piece of source code on its own (used by the docs and the tests)."""
    from ._analysis import FileSummary, analyse_source
    from .rules import rule_instances

    cfg = config or Config(cache=False)
    summary = analyse_source(source, path=path, module=module)
    if summary.error is not None:
        _kind, message, line, col = summary.error
        raise SyntaxError(f"{path}:{line}:{col}: {message}")
    # Round-trip through the cache format, as a real run does.
    summary = FileSummary.from_dict(path, json.loads(json.dumps(summary.to_dict())))
    codes = selected_codes(cfg)
    # Unlike check_paths, failures are raised: this serves tests and docs.
    return _run_rules([summary], cfg, codes, [r for r in rule_instances() if r.code in codes])
