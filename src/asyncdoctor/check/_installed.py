"""Learning from the source of installed libraries the knowledge tables do not cover.

The tables of :mod:`._knowledge` say what the libraries async applications
use most do.  For any other library the project imports, when its source is
installed in the environment asyncdoctor runs in, the checker reads the
modules the project uses (and the ones those re-export or call, a few steps
deep) with the same per-file analysis as the project's own files.  Their
functions then resolve like the project's: an ``async def`` of the library is
a coroutine function (ADC201 reports a call of it left unawaited), and a sync
library function that reaches a known blocking call (``requests``, a socket,
``time.sleep``) blocks (ADC101 reports it in ``async def`` code, with the
chain into the library).  Nothing is ever reported inside a library.

Nothing is imported or run: files are found on ``sys.path`` the way the
import system would find them (:class:`importlib.machinery.PathFinder`),
then parsed.  Summaries are cached by content like the project's; the run's
cache key includes ``sys.path`` and its folders' modification times (a
distribution installed, removed or upgraded), and a cached result is used
only while every library file it read is unchanged.

Libraries the tables know (their top-level name appears in any table), the
standard library and the project's own top-level packages are never read:
the tables, or the project's own source, win.  Reading stops after
:data:`MAX_FILES` files and :data:`MAX_ROUNDS` steps of following names, so
a project importing a huge library costs a bounded, cached amount.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from importlib.machinery import PathFinder
from pathlib import Path

from . import _knowledge as kb
from ._analysis import FileSummary

__all__ = ["MAX_FILES", "MAX_ROUNDS", "LibraryFile", "known_tops", "library_files", "wanted_names"]

#: At most this many library files are read in one run.
MAX_FILES = 400
#: Library files larger than this (bytes) are skipped: generated tables, vendored bundles.
MAX_FILE_BYTES = 150_000

#: Libraries that neither wait nor hand out coroutines in the way applications use
#: them (types, validation, serialisation, terminal output, parsing): reading
#: their large sources would teach nothing.
PURE_LIBRARIES = frozenset(
    {
        "typing_extensions", "typing_inspect", "typing_inspection", "annotated_types",
        "pydantic", "pydantic_core", "pydantic_settings", "attr", "attrs", "cattrs",
        "dataclasses_json", "marshmallow", "msgspec", "packaging", "six", "tomli", "tomli_w",
        "tomlkit", "colorama", "rich", "click", "typer", "jsonschema",
        "jsonschema_specifications", "referencing", "rpds", "jwt", "yaml", "ruamel", "orjson",
        "ujson", "simplejson", "dateutil", "pytz", "tzdata", "tzlocal", "arrow", "pendulum",
        "babel", "regex", "bidict", "chevron", "cryptography", "nacl", "idna", "certifi",
        "charset_normalizer", "multidict", "yarl", "frozenlist", "propcache", "wrapt",
        "deprecated", "pygments", "markdown_it", "mdurl", "more_itertools", "toolz",
        "cachetools", "sortedcontainers", "numpy",
    }
)

#: Steps of following names from the project into libraries and within them.
MAX_ROUNDS = 4

#: (path, module name, is a package ``__init__``)
LibraryFile = tuple[Path, str, bool]


@cache
def known_tops() -> frozenset[str]:
    """Top-level names the knowledge tables speak of: their own entries win."""
    names: set[str] = set()
    tables: Iterable[Iterable[str]] = (
        kb.BLOCKING_CALLS, kb.NOT_BLOCKING, kb.RETURN_TYPES, kb.ENTER_TYPES, kb.ATTRIBUTE_TYPES,
        kb.TYPE_BASES, kb.TYPE_ALIASES, kb.TYPE_ALIASES.values(), kb.COROUTINE_FUNCTIONS,
        kb.RESOURCES, kb.OFFLOADERS, kb.OFFLOADING_DECORATORS, kb.LIMITERS, kb.TASK_GROUPS,
        kb.SLEEP_FUNCTIONS,
    )
    for table in tables:
        for name in table:
            names.add(name.partition(".")[0])
    return frozenset(names)


def _plain(ref: str) -> str:
    """``stripe.Customer().create`` -> ``stripe.Customer``: the part that names modules and classes."""
    out = []
    for seg in ref.split("."):
        if not seg or not seg.isidentifier():
            if seg.endswith("()") and seg[:-2].isidentifier():
                out.append(seg[:-2])
            break
        out.append(seg)
    return ".".join(out)


def wanted_names(summaries: Iterable[FileSummary], skip: frozenset[str] = frozenset()) -> set[str]:
    """Dotted names a set of summaries refers to: module-level bindings and call targets.

    Names whose top-level module is in ``skip`` are left out (tested first: it is cheap,
    and most names of a project are its own or the standard library's).
    """
    names: set[str] = set()
    refs: list[str] = []
    for s in summaries:
        refs.extend(s.symbols.values())
        for info in s.functions.values():
            refs.extend(site.ref for site in info.calls)
            refs.extend(info.decorators)
        for cls in s.classes.values():
            refs.extend(cls.bases)
    seen: set[str] = set()
    for ref in refs:
        if not ref or ref in seen:
            continue
        seen.add(ref)
        top = ref.partition(".")[0]
        if top in skip or top.startswith("?"):
            continue
        names.add(_plain(ref))
    names.discard("")
    return names


class _Finder:
    """Maps dotted names of one environment's libraries to their source files."""

    def __init__(self, skip_tops: frozenset[str]) -> None:
        self.skip = (skip_tops | known_tops() | PURE_LIBRARIES | frozenset(sys.stdlib_module_names)
                     | {"builtins"})
        self.roots: dict[str, tuple[list[Path], Path | None]] = {}
        self._is_file: dict[Path, bool] = {}

    def is_file(self, path: Path) -> bool:
        hit = self._is_file.get(path)
        if hit is None:
            hit = self._is_file[path] = path.is_file()
        return hit

    def _root(self, top: str) -> tuple[list[Path], Path | None]:
        """Where a top-level module lives: its package folders, or its one file."""
        hit = self.roots.get(top)
        if hit is not None:
            return hit
        folders: list[Path] = []
        single: Path | None = None
        try:
            spec = PathFinder.find_spec(top)
        except (ImportError, ValueError, OSError):
            spec = None
        if spec is not None:
            if spec.submodule_search_locations:
                folders = [Path(p) for p in spec.submodule_search_locations]
            elif spec.origin and spec.origin.endswith(".py"):
                single = Path(spec.origin)
        self.roots[top] = (folders, single)
        return folders, single

    def files(self, name: str) -> Iterator[LibraryFile]:
        """The files that define ``name`` and the packages above it (``a/__init__.py``, ``a/b.py``)."""
        parts = name.split(".")
        top = parts[0]
        if top in self.skip or not top.isidentifier():
            return
        folders, single = self._root(top)
        if single is not None:
            yield single, top, False
            return
        for folder in folders:
            init = folder / "__init__.py"
            if self.is_file(init):
                yield init, top, True
            here = folder
            for i in range(1, len(parts)):
                module = ".".join(parts[: i + 1])
                package = here / parts[i]
                init = package / "__init__.py"
                if self.is_file(init):
                    yield init, module, True
                    here = package
                    continue
                file = here / f"{parts[i]}.py"
                if self.is_file(file):
                    yield file, module, False
                break  # a class or function of the module found so far


def library_files(
    project: list[FileSummary],
    analyse: Callable[[list[LibraryFile]], list[FileSummary]],
    *,
    max_files: int | None = None,
) -> list[FileSummary]:
    """Summaries of the installed library modules the project reaches (see the module docstring).

    ``analyse`` turns files into summaries (the engine's, with its cache and
    process pool); it is called once per round with the new files.
    """
    limit = MAX_FILES if max_files is None else max_files
    own_tops = frozenset(s.module.partition(".")[0] for s in project)
    finder = _Finder(own_tops)
    seen: set[Path] = set()
    learned: list[FileSummary] = []
    wanted = wanted_names(project, finder.skip)
    for _round in range(MAX_ROUNDS):
        batch: list[LibraryFile] = []
        for name in sorted(wanted):
            for path, module, is_package in finder.files(name):
                if path in seen or len(seen) >= limit:
                    continue
                seen.add(path)
                try:
                    if path.stat().st_size > MAX_FILE_BYTES:
                        continue
                except OSError:
                    continue
                batch.append((path, module, is_package))
        if not batch:
            break
        new = [s for s in analyse(batch) if s.error is None]
        learned.extend(new)
        wanted = wanted_names(new, finder.skip)
    return learned
