"""Stage 2: the project index.

The index puts every file's summary together, resolves references between
modules (packages, relative imports, re-exports, ``from x import y as z``,
methods on ``self`` and on objects of known type, inherited methods) and
answers the questions the project-wide rules ask:

* what does this call site call? (:meth:`ProjectIndex.callee`)
* does calling it block the event loop, and through which chain of sync
  helpers? (:meth:`ProjectIndex.blocking`)
* does calling it return a coroutine? (:meth:`ProjectIndex.is_coroutine`)

Facts are computed lazily and memoised, so a large tree costs only what the
rules ask about.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from .._compat import removeprefix_module
from . import _knowledge as kb
from ._analysis import NESTED, CallSite, ClassInfo, FileSummary, FuncInfo, Usage, keyed_segment
from ._guess import awaited_libraries, guess, receiver_refs
from ._refs import (
    ENTER,
    LibMethod,
    LibName,
    LibObject,
    LibValue,
    blocking_info,
    eval_lib,
    is_coroutine_lib,
    lib_qualname,
    split_ref,
    step_lib,
)

if TYPE_CHECKING:
    from ._config import Config

__all__ = ["Blocked", "PClass", "PFunc", "PInst", "PModule", "ProjectIndex", "ProjectReport", "Value"]


@dataclass(frozen=True, slots=True)
class PModule:
    name: str


@dataclass(frozen=True, slots=True)
class PFunc:
    qualname: str


@dataclass(frozen=True, slots=True)
class PClass:
    qualname: str


@dataclass(frozen=True, slots=True)
class PInst:
    qualname: str


@dataclass(frozen=True, slots=True)
class PItems:
    """A typed container of the project's (``self.printers: dict[str, Printer]``): what
    iterating it and what its values give, as references."""

    item: str | None
    value: str | None


Value = PModule | PFunc | PClass | PInst | PItems | LibName | LibObject | LibMethod


@dataclass(frozen=True, slots=True)
class Blocked:
    """Why a call blocks: what it does, what to do instead, and the chain of calls."""

    what: str
    instead: str
    culprit: str  # the blocking library call, e.g. "requests.post"
    chain: tuple[str, ...]  # "shop.auth.get_token() at shop/auth.py:12", ..., innermost last
    #: Where the blocking library call is made (path, line, col, end_line, end_col),
    #: for a chain: the one place that every caller reaches.
    root: tuple[str, int, int, int, int] | None = None
    #: Whether some call of the chain runs only on some paths (see ``CallSite.guarded``).
    guarded: bool = False
    #: Whether a function of the chain is memoised (``functools.cache`` ...): it blocks once.
    memoised: bool = False
    #: Whether the blocking call is a sleep of a few milliseconds at most (``time.sleep(0.001)``).
    brief: bool = False

    @property
    def weak(self) -> bool:
        """Whether this is weaker evidence than "it blocks every time it is called"."""
        return self.weak_path or self.local_files

    @property
    def weak_path(self) -> bool:
        """Whether it blocks only on some paths, once, briefly, or deep in helpers."""
        return self.guarded or self.memoised or self.brief or self.once or len(self.chain) > _MAX_CHAIN

    @property
    def local_files(self) -> bool:
        """Whether the blocking call works on local files (quick, on a local disk)."""
        return _LOCAL_FILES.match(self.culprit) is not None

    @property
    def file_content(self) -> bool:
        """Whether it reads or writes files, or lists directories (not a metadata call)."""
        return FILE_CONTENT.match(self.culprit) is not None

    @property
    def rank(self) -> tuple[bool, bool]:
        """How weak the evidence is (less is stronger): on some paths only, then a quick
        file-system call that only touches metadata (``mkdir``, ``unlink``, ``stat``)."""
        return self.weak_path, self.local_files and not self.file_content

    @property
    def once(self) -> bool:
        """Whether the blocking call waits only the first time (an import: later ones find it done)."""
        return self.culprit in _FIRST_TIME_ONLY


@dataclass(frozen=True, slots=True)
class ProjectReport:
    """A finding of a project-wide rule, located in one file."""

    path: str
    code: str
    line: int
    col: int
    end_line: int
    end_col: int
    message: str
    chain: tuple[str, ...] = ()
    #: Weaker evidence: shown only with ``--preview``.
    preview: bool = False
    #: Reports that share a ``group`` have one cause, reported once at ``group.path``
    #: and ``group.line`` unless ``show-all-sites`` is set (see :class:`Group`).
    group: Group | None = None
    #: How the group's finding names this report among its sites (default: the first
    #: step of ``chain``).
    label: str = ""


@dataclass(frozen=True, slots=True)
class Group:
    """The one place where the cause of several reports can be fixed.

    When more than one report of a run carries the same group, the engine
    replaces them with one finding here, whose message is ``message`` with
    ``{count}`` replaced by the number of reports and ``{first}`` by the
    first of them; the finding's ``sites`` lists every one.
    """

    path: str
    line: int
    col: int
    end_line: int
    end_col: int
    message: str
    chain: tuple[str, ...] = ()


# Decorators that keep an ``async def`` a coroutine function.
_TRANSPARENT_DECORATORS = frozenset(
    {
        "builtins.staticmethod",
        "builtins.classmethod",
        "abc.abstractmethod",
        "typing.override",
        "typing_extensions.override",
        "typing.final",
        "functools.wraps",
        "typing.no_type_check",
    }
)


# Decorators that turn an ``async def`` into something else when called
# (a context manager, a sync wrapper, a task object, a registered command).
_CHANGES_COROUTINE = re.compile(
    r"(?i)contextmanager|fixture|(^|_)sync($|_)|to_sync|syncify|^command$|^group$|task$|actor|remote"
    r"|property|^setter$|^getter$|^deleter$|background|forget|spawn|schedul|thread|debounce"
    r"|throttle|^job$|periodic|^delay|dispatch|singledispatch|overload|^cli$"
)


def _display_path(path: str) -> str:
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return path
    return path if rel.startswith("..") else rel


class ProjectIndex:
    """All summaries of one run, with cross-module resolution."""

    def __init__(self, summaries: list[FileSummary], config: Config | None = None, *,
                 library: list[FileSummary] | None = None) -> None:
        self.summaries = [s for s in summaries if s.error is None]
        self.modules: dict[str, FileSummary] = {}
        self.functions: dict[str, tuple[FuncInfo, FileSummary]] = {}
        self.classes: dict[str, tuple[ClassInfo, FileSummary]] = {}
        aliases: dict[str, set[str]] = {}
        for s in self.summaries:
            self.modules.setdefault(s.module, s)
            for q, f in s.functions.items():
                self.functions.setdefault(q, (f, s))
            for q, c in s.classes.items():
                self.classes.setdefault(q, (c, s))
            for alias in _path_aliases(s):
                aliases.setdefault(alias, set()).add(s.module)
        #: Paths of the installed library modules read for what they do (see ``_installed``):
        #: they resolve names like the project's files, but are never reported on.
        self.library_paths: frozenset[str] = frozenset()
        if library:
            self.library_paths = frozenset(s.path for s in library)
            for s in library:
                if s.error is not None:
                    continue
                self.modules.setdefault(s.module, s)
                for q, f in s.functions.items():
                    self.functions.setdefault(q, (f, s))
                for q, c in s.classes.items():
                    self.classes.setdefault(q, (c, s))
        # Namespace packages (folders without __init__.py) and scripts run
        # from their folder are imported by a dotted name longer or shorter
        # than the package path gives: accept a name made of the file's last
        # folders when it names exactly one module and shadows no library.
        self.module_aliases = {
            k: next(iter(v)) for k, v in aliases.items() if len(v) == 1 and k not in self.modules
        }
        self.user_blocking = frozenset(config.blocking_functions) if config else frozenset()
        self.user_safe = frozenset(config.safe_functions) if config else frozenset()
        # Classes named in those lists (``legacy.Client`` of ``legacy.Client.*``):
        # their instances keep their type even when the knowledge does not know them.
        self._user_types = frozenset(
            name.rpartition(".")[0] for name in self.user_blocking | self.user_safe if "." in name
        )
        #: Told of each file :meth:`iter_functions` moves to (the engine blames a failure on it).
        self.on_file: Callable[[FileSummary], None] | None = None
        self._eval_cache: dict[str, Value | None] = {}
        self._listed_cache: dict[frozenset[str], frozenset[str]] = {}
        self._blocking_cache: dict[str, Blocked | None] = {}
        self._prefixes: frozenset[str] | None = None
        self._guess_tops: tuple[frozenset[str], frozenset[str]] | None = None
        self._receivers: dict[str, frozenset[str]] = {}
        self._keys: dict[str, str] | None = None  # see _keyed

    # -- resolution -------------------------------------------------------

    def module(self, name: str) -> FileSummary | None:
        hit = self.modules.get(name)
        if hit is None:
            alias = self.module_aliases.get(name)
            if alias is not None:
                hit = self.modules.get(alias)
        return hit

    def evaluate(self, ref: str, _depth: int = 0) -> Value | None:
        """What a symbolic reference denotes, as far as the project and the knowledge tell."""
        cached = self._eval_cache.get(ref, _MISSING)
        if cached is not _MISSING:
            return cached  # type: ignore[return-value]
        if _depth > 12:
            return None
        self._eval_cache[ref] = None  # breaks reference cycles
        value = self._evaluate(ref, _depth)
        self._eval_cache[ref] = value
        return value

    def _evaluate(self, ref: str, depth: int) -> Value | None:
        segments = split_ref(ref)
        if segments[0].startswith("[]"):  # ``app["db"]``, ``state.db`` on objects of unknown type
            return self._through_key(segments, depth)
        plain = 0
        for seg in segments:
            if seg.endswith("()") or seg.startswith("[]"):
                break
            plain += 1
        value: Value | None = None
        used = 0
        for i in range(plain, 0, -1):
            name = ".".join(segments[:i])
            if name in self.functions:
                value = PFunc(name)
            elif name in self.classes:
                value = PClass(name)
            else:
                mod = self.module(name)
                if mod is not None:
                    value = PModule(mod.module)
            if value is not None:
                used = i
                break
        if value is None:
            # A call segment may still start with a project name: "pkg.f()" has plain == 1.
            if plain < len(segments):
                head = segments[plain]
                stripped = head.rstrip("()")
                name = ".".join([*segments[:plain], stripped]) if stripped else ""
                if name and (name in self.functions or name in self.classes or self.module(name)):
                    value = self._evaluate(name, depth + 1)
                    if value is not None:
                        for _ in range((len(head) - len(stripped)) // 2):
                            value = self._call(value, depth) if value is not None else None
                        used = plain + 1
            if value is None:
                hit = eval_lib(ref)
                if hit is None and self._user_types:
                    hit = self._eval_with_user_types(segments)
                if hit is None:
                    return self._through_key(segments, depth)
                return hit
        for seg in segments[used:]:
            if value is None:
                return None
            value = self._step(value, seg, depth)
        return value

    def _through_key(self, segments: tuple[str, ...], depth: int) -> Value | None:
        """What the project keeps under a key (``request.app["db"].fetch``,
        ``request.app.state.db.fetch``: see ``keyed_segment``), then the rest of the
        reference.  An item of an object the knowledge types is that type first."""
        found = keyed_segment(segments)
        if found is None:
            return None
        i, key, rest = found
        if i and segments[i].startswith("[]"):
            owner = self.evaluate(".".join(segments[:i]), depth + 1)
            if owner is not None:
                return self._steps(self._step(owner, segments[i], depth), segments[rest:], depth)
        return self._steps(self._keyed(key, depth), segments[rest:], depth)

    def _steps(self, value: Value | None, segments: tuple[str, ...], depth: int) -> Value | None:
        """``value`` stepped through ``segments`` (``None`` as soon as a step is unknown)."""
        for seg in segments:
            if value is None:
                return None
            value = self._step(value, seg, depth)
        return value

    def _keyed(self, key: str, depth: int) -> Value | None:
        """What the project stores under string key ``key``, when every store agrees."""
        if self._keys is None:
            table: dict[str, str] = {}
            for s in self.summaries:
                for k, stored in s.keys.items():
                    old = table.get(k)
                    table[k] = stored if old is None or old == stored else ""
            self._keys = table
        found = self._keys.get(key)
        return self.evaluate(found, depth + 1) if found else None

    def _eval_with_user_types(self, segments: tuple[str, ...]) -> LibValue | None:
        """Library references through classes the configuration names (``legacy.Client.*``)."""
        value: LibValue | None = None
        name: list[str] = []
        for seg in segments:
            if value is None:
                plain = seg.rstrip("()")
                name.append(plain)
                if seg.endswith("()"):
                    dotted = ".".join(name)
                    if dotted not in self._user_types:
                        return None
                    value = LibObject(dotted)
                continue
            value = step_lib(value, seg)
            if value is None:
                return None
        return value

    def _step(self, value: Value, seg: str, depth: int) -> Value | None:
        if isinstance(value, PItems):
            # an item: ``printers[name]``, ``printers.get(name)``, ``queue.pop()``
            held = value.value or value.item
            if held and (seg.startswith("[]") or seg in _ITEM_GETTERS):
                if held.startswith(NESTED):
                    return PItems(held[len(NESTED):], None)  # a container in the container
                return self.evaluate(held, depth + 1)
            return None
        if isinstance(value, LibName | LibObject | LibMethod):
            hit = step_lib(value, seg)
            if hit is None and len(seg) > 2 and seg.startswith("[]"):
                # an item the knowledge does not type (``request.app["db"]``)
                return self._keyed(seg[2:], depth)
            return hit
        if seg == ENTER:
            if isinstance(value, PInst):
                for name in ("__aenter__", "__enter__"):
                    method = self._class_attr(value.qualname, name)
                    if isinstance(method, PFunc):
                        info = self.functions[method.qualname][0]
                        if info.returns:
                            return self.evaluate(info.returns, depth + 1)
                return value
            return None
        if seg.startswith("[]"):
            # what the project stores under that key (an item of a project object has no
            # known type otherwise)
            return self._keyed(seg[2:], depth) if len(seg) > 2 else None
        calls = 0
        while seg.endswith("()"):
            seg = seg[:-2]
            calls += 1
        current: Value | None = self._attr(value, seg, depth) if seg else value
        for _ in range(calls):
            if current is None:
                return None
            current = self._call(current, depth)
        return current

    def _attr(self, value: Value, attr: str, depth: int) -> Value | None:
        if isinstance(value, PModule):
            mod = self.modules[value.name]
            sym = mod.symbols.get(attr)
            if sym:
                return self.evaluate(sym, depth + 1)
            sub = self.module(f"{value.name}.{attr}")
            if sub is not None:
                return PModule(sub.module)
            return None
        if isinstance(value, PClass):
            hit = self._class_attr(value.qualname, attr)
            if isinstance(hit, PFunc | PClass):
                return hit
            if isinstance(hit, LibObject) and any(
                f"{base.type}.{attr}" in kb.CLASS_ATTRIBUTES
                for base in self.mro(value.qualname) if isinstance(base, LibObject)
            ):
                return hit  # ``Article.objects``: a Django model's manager
            return None
        if isinstance(value, PInst):
            hit = self._class_attr(value.qualname, attr)
            if isinstance(hit, str):
                return self.evaluate(hit, depth + 1) if hit else None
            return hit
        return None

    def mro(self, qualname: str) -> Iterator[ClassInfo | LibObject]:
        """The project class and its bases, project classes first, then library bases."""
        seen: set[str] = set()
        stack = [qualname]
        libs: list[LibObject] = []
        while stack and len(seen) < 64:
            q = stack.pop(0)
            if q in seen:
                continue
            seen.add(q)
            entry = self.classes.get(q)
            if entry is None:
                continue
            cls = entry[0]
            yield cls
            for base in cls.bases:
                if not base:
                    continue
                v = self.evaluate(base)
                if isinstance(v, PClass):
                    stack.append(v.qualname)
                elif isinstance(v, LibName):
                    libs.append(LibObject(v.name))
        yield from libs

    def _class_attr(self, qualname: str, attr: str) -> PFunc | PClass | PItems | LibValue | str | None:
        """A method (PFunc), nested class, attribute type reference (str) or library member."""
        for cls in self.mro(qualname):
            if isinstance(cls, LibObject):
                return step_lib(cls, attr)
            method = cls.methods.get(attr)
            if method is not None:
                info = self.functions[method][0]
                if info.kind == "property":
                    return info.returns or ""
                return PFunc(method)
            t = cls.attrs.get(attr)
            if t is not None:
                return t
            held = cls.items.get(attr)
            if held is not None:
                return PItems(*held)
            nested = f"{cls.qualname}.{attr}"
            if nested in self.classes:
                return PClass(nested)
        return None

    def _call(self, value: Value, depth: int) -> Value | None:
        if isinstance(value, PClass):
            return PInst(value.qualname)
        if isinstance(value, PFunc):
            info = self.functions[value.qualname][0]
            if info.returns:
                return self.evaluate(info.returns, depth + 1)
            return None
        if isinstance(value, LibName | LibObject | LibMethod):
            return step_lib(value, "()")
        return None

    def callee(self, site: CallSite) -> Value | None:
        return self.evaluate(site.ref)

    def func(self, value: Value | None) -> FuncInfo | None:
        if isinstance(value, PFunc):
            return self.functions[value.qualname][0]
        return None

    def path_of(self, qualname: str) -> str:
        entry = self.functions.get(qualname)
        return self.display_path(entry[1]) if entry else "?"

    def display_path(self, summary: FileSummary) -> str:
        """A file as messages name it: relative to here, or for a library, to its ``sys.path`` entry."""
        if summary.path in self.library_paths:
            return summary.module.replace(".", "/") + ("/__init__.py" if summary.is_package else ".py")
        return _display_path(summary.path)

    def in_library(self, value: Value) -> bool:
        """Whether a function or class is defined in an installed library read for what it does."""
        if not self.library_paths or not isinstance(value, PFunc | PClass | PInst):
            return False
        entry = self.functions.get(value.qualname) or self.classes.get(value.qualname)
        return entry is not None and entry[1].path in self.library_paths

    # -- facts ------------------------------------------------------------

    def short_name(self, value: Value) -> str:
        """How to name a callee to a user: ``Client.fetch``, ``helper``, ``requests.get``."""
        if isinstance(value, PFunc | PClass | PInst):
            entry = self.functions.get(value.qualname) or self.classes.get(value.qualname)
            if entry is not None:
                if entry[1].path in self.library_paths:
                    return value.qualname  # a library's: its full name says whose it is
                return removeprefix_module(value.qualname, entry[1].module)
            return value.qualname
        name = self.name_of(value)
        return name.removeprefix("builtins.")

    def name_of(self, value: Value) -> str:
        if isinstance(value, PModule):
            return value.name
        if isinstance(value, PFunc | PClass | PInst):
            return value.qualname
        if isinstance(value, LibObject):
            return value.type
        if isinstance(value, PItems):
            return "?"
        return lib_qualname(value) or "?"

    def is_coroutine(self, value: Value | None) -> bool:
        """Whether calling ``value`` creates a coroutine (or a lazy awaitable) and nothing else."""
        if value is None:
            return False
        if isinstance(value, PFunc):
            info = self.functions[value.qualname][0]
            if not info.is_async or info.is_generator:
                return False
            return all(self._keeps_coroutine(d) for d in info.decorators)
        if isinstance(value, LibName | LibMethod):
            if self._user_listed(value, self.user_safe):
                return False
            return is_coroutine_lib(value)
        return False

    def _keeps_coroutine(self, decorator: str) -> bool:
        """Whether an ``async def`` under this decorator still returns a coroutine when called."""
        if decorator in _TRANSPARENT_DECORATORS:
            return True
        if not decorator:
            return True  # unresolvable (e.g. an attribute of an untyped object): most decorators wrap
        base = decorator
        while base.endswith("()"):
            base = base[:-2]
        value = self.evaluate(base)
        if isinstance(value, PFunc):
            # A project decorator: it keeps coroutines when its wrapper is an async def,
            # or when it defines no wrapper at all (it registers and returns the function).
            prefix = value.qualname + ".<locals>."
            nested = [f for q, (f, _) in self.functions.items() if q.startswith(prefix)] if (
                prefix in self._decorator_prefixes()
            ) else []
            return not nested or any(f.is_async for f in nested)
        last = base.rpartition(".")[2]
        return _CHANGES_COROUTINE.search(last) is None

    def _decorator_prefixes(self) -> frozenset[str]:
        if self._prefixes is None:
            self._prefixes = frozenset(
                q[: q.index(".<locals>.") + len(".<locals>.")] for q in self.functions if ".<locals>." in q
            )
        return self._prefixes

    def _user_listed(self, value: Value, names: frozenset[str]) -> bool:
        """Whether the configuration lists ``value`` in ``names`` (blocking or safe functions).

        ``Class.*`` lists every method of the class but its ``__dunder__`` ones
        (constructing a client is not calling one of its methods) and, in the
        project, its ``async def`` ones (they cannot block the loop's thread).
        """
        if not names:
            return False
        listed = self._listed(names)
        name = self.name_of(value)
        if name in listed:
            return True
        if isinstance(value, LibMethod):
            return f"{value.type}.*" in listed and not value.attr.startswith("__")
        if isinstance(value, PFunc):
            info = self.functions[value.qualname][0]
            return (
                info.cls is not None
                and f"{info.cls}.*" in listed
                and not info.is_async
                and not info.name.startswith("__")
            )
        return False

    def _listed(self, names: frozenset[str]) -> frozenset[str]:
        """``names`` as the configuration gives them, plus what they are in the project.

        Users write the names their code imports (``legacy.Client.*``); the
        project may define them elsewhere (``legacy/client.py``, re-exported
        by ``legacy/__init__.py``): those qualified names are added.
        """
        hit = self._listed_cache.get(names)
        if hit is None:
            found = set(names)
            for name in names:
                star = name.endswith(".*")
                value = self.evaluate(name.removesuffix(".*"))
                if isinstance(value, PClass):
                    found.add(f"{value.qualname}.*" if star else value.qualname)
                elif isinstance(value, PFunc) and not star:
                    found.add(value.qualname)
            hit = self._listed_cache[names] = frozenset(found)
        return hit

    def blocking(self, site: CallSite, value: Value | None = None,
                 summary: FileSummary | None = None) -> Blocked | None:
        """Whether the call at ``site`` (in the file of ``summary``) blocks the thread that runs it."""
        if value is None:
            value = self.evaluate(site.ref)
        if value is None:
            return self._guess(site, summary)
        direct = self._direct_blocking(site, value, summary)
        if direct is not _FOLLOW:
            return direct  # type: ignore[return-value]
        callee = self._callee_function(value)
        if callee is None or self._lazy_call(callee, site):
            return None
        return self._function_blocking(callee)

    def _callee_function(self, value: Value) -> str | None:
        """The project function a call of ``value`` runs on this thread (a constructor's ``__init__``)."""
        if isinstance(value, PFunc):
            return value.qualname
        if isinstance(value, PClass):
            init = self._class_attr(value.qualname, "__init__")
            if isinstance(init, PFunc):
                return init.qualname
        return None

    def _direct_blocking(self, site: CallSite, value: Value, summary: FileSummary | None) -> object:
        """A :class:`Blocked`, None, or ``_FOLLOW`` when the answer lies in a project function."""
        if self._user_listed(value, self.user_safe):
            return None
        if site.usage != Usage.AWAITED and self._user_listed(value, self.user_blocking):
            # (an awaited call returns an awaitable: ``await client.afetch()`` under
            # ``Client.*`` is an async method of the class)
            return _declared_blocking(self.name_of(value))
        if isinstance(value, PFunc):
            return _FOLLOW
        if isinstance(value, PClass):
            for cls in self.mro(value.qualname):
                if isinstance(cls, LibObject):
                    hit = blocking_info(LibName(cls.type))
                    if hit is not None and not (hit[1].nonblocking_if and _nonblocking(hit[1].nonblocking_if, site)):
                        return Blocked(hit[1].what, hit[1].instead, cls.type, ())
                elif "__init__" in cls.methods:
                    # A constructor of its own decides what the base gets (an in-memory
                    # file, a path): its body is followed (``super().__init__(...)`` there
                    # is a call of the base).
                    break
            return _FOLLOW
        if isinstance(value, PInst | PModule | PItems):
            return None
        hit = blocking_info(value)
        if hit is None:
            return self._guess(site, summary) if isinstance(value, LibName) else None
        if site.usage == Usage.AWAITED:
            # What the code awaits returns an awaitable, so the type inferred
            # here is not the one it has: ``sessionmaker(class_=AsyncSession)``
            # makes async sessions, whose ``execute`` is a coroutine.
            return None
        key, info = hit
        if info.nonblocking_if and _nonblocking(info.nonblocking_if, site):
            return None
        if info.blocking_only_if and not _nonblocking(info.blocking_only_if, site):
            return None  # (the same match: here, the argument that makes it block)
        if key in _LAZY and site.usage != Usage.MISUSED:
            # A lazy iterator only blocks when iterated; here it is kept or handed on.
            return None
        if (
            summary is not None
            and key.startswith("socket.socket.")
            and "nonblocking-sockets" in summary.flags
        ):
            return None
        name = lib_qualname(value) or key
        brief = (key == "time.sleep" and _brief_sleep(site)) or (
            key.startswith("subprocess.") and (0, kb.VERSION_PROBE) in site.consts)
        return Blocked(info.what, info.instead, name, (), brief=brief)

    def _own_verdict(self, qualname: str) -> object:
        """What is known of a function before looking at its calls (``_FOLLOW`` if nothing)."""
        info = self.functions[qualname][0]
        if info.is_async or info.offloaded or self._user_listed(PFunc(qualname), self.user_safe):
            return None
        if self._user_listed(PFunc(qualname), self.user_blocking):
            return _declared_blocking(qualname)
        return _FOLLOW

    def _function_blocking(self, qualname: str) -> Blocked | None:
        """Whether calling a sync project function blocks, following its calls depth-first.

        Iterative, so that a chain of thousands of helpers costs no recursion;
        a function met again while it is being explored (a cycle) counts as
        not blocking on that path.
        """
        cache = self._blocking_cache
        if qualname in cache:
            return cache[qualname]
        verdict = self._own_verdict(qualname)
        if verdict is not _FOLLOW:
            cache[qualname] = verdict  # type: ignore[assignment]
            return verdict  # type: ignore[return-value]
        # A frame: [function, index of the next call to look at, best verdict so far].
        # The first call that blocks on every path wins; failing that, the first
        # call that blocks at all (weaker evidence).
        stack: list[list[object]] = [[qualname, 0, None]]
        active = {qualname}
        while stack:
            frame = stack[-1]
            current = frame[0]
            assert isinstance(current, str)
            info, summary = self.functions[current]
            index = frame[1]
            assert isinstance(index, int)
            result = frame[2]
            assert result is None or isinstance(result, Blocked)
            finished = True
            memoised = any(_memoising(d) for d in info.decorators)
            while index < len(info.calls):
                site = info.calls[index]
                index += 1
                value = self.evaluate(site.ref)
                inner = (self._direct_blocking(site, value, summary) if value is not None
                         else self._guess(site, summary))
                if inner is _FOLLOW:
                    assert value is not None
                    callee = self._callee_function(value)
                    if callee is None or self._lazy_call(callee, site):
                        continue
                    if callee not in cache:
                        if callee in active:
                            continue  # a cycle: not blocking along this path
                        callee_verdict = self._own_verdict(callee)
                        if callee_verdict is _FOLLOW:
                            frame[1] = index - 1  # come back to this call once the callee is known
                            frame[2] = result
                            stack.append([callee, 0, None])
                            active.add(callee)
                            finished = False
                            break
                        cache[callee] = callee_verdict  # type: ignore[assignment]
                    inner = cache[callee]
                if inner is None:
                    continue
                assert isinstance(inner, Blocked)
                where = f"{self.display_path(summary)}:{site.line}"
                step = f"{self.short_name(value) if value is not None else inner.culprit}() at {where}"
                root = inner.root or (summary.path, site.line, site.col, site.end_line, site.end_col)
                found = replace(inner, chain=(step, *inner.chain), root=root,
                                guarded=inner.guarded or site.guarded, memoised=inner.memoised or memoised)
                if result is None or found.rank < result.rank:
                    result = found
                if not found.weak:
                    result = found
                    break
            if not finished:
                continue
            cache[current] = result
            active.discard(current)
            stack.pop()
        return cache[qualname]

    def _guess(self, site: CallSite, summary: FileSummary | None) -> Blocked | None:
        """What a call of a library nothing is known of most likely does (see ``_guess``)."""
        if summary is None or summary.path in self.library_paths:
            return None
        if self._guess_tops is None:
            own = {name.partition(".")[0] for name in (*self.modules, *self.module_aliases)}
            calls = (site for s in self.summaries for info in s.functions.values() for site in info.calls)
            self._guess_tops = (frozenset(own), awaited_libraries(calls))
        receivers = self._receivers.get(summary.path)
        if receivers is None:
            receivers = self._receivers[summary.path] = receiver_refs(
                [site for info in summary.functions.values() for site in info.calls]
            )
        hit = guess(site, project_tops=self._guess_tops[0], awaited_tops=self._guess_tops[1],
                    receivers=receivers)
        if hit is None:
            return None
        if self.user_safe:
            plain = site.ref.replace("()", "")
            listed = self._listed(self.user_safe)
            if plain in listed or any(n.endswith(".*") and plain.startswith(n[:-1]) for n in listed):
                return None  # ``pyzabbix.*``, ``pyzabbix.ZabbixAPI.*``, or the call's own name
        what, instead, culprit = hit
        return Blocked(what, instead, culprit, ())

    def _lazy_call(self, qualname: str, site: CallSite) -> bool:
        """Whether calling this function runs none of its body yet (a generator, not iterated)."""
        info = self.functions[qualname][0]
        return info.is_generator and not info.is_async and site.usage != Usage.MISUSED

    def iter_functions(self) -> Iterator[tuple[FuncInfo, FileSummary]]:
        """Every function of every file (``on_file`` hears of each file first)."""
        on_file = self.on_file
        for s in self.summaries:
            if on_file is not None:
                on_file(s)
            for f in s.functions.values():
                yield f, s


def _declared_blocking(name: str) -> Blocked:
    """The verdict on a function the configuration lists in ``blocking-functions``."""
    return Blocked(
        "is declared blocking in the configuration",
        "run it in a thread with `await asyncio.to_thread(...)`",
        name,
        (),
    )


_MISSING = object()
#: Methods of a container that give one of its items.
_ITEM_GETTERS = frozenset({"get()", "pop()", "popleft()", "setdefault()", "__getitem__()"})
# Decorators that make a function run its body once (per argument), however often it is called.
_MEMOISING = frozenset(
    {"functools.cache", "functools.lru_cache", "functools.cached_property", "cachetools.cached",
     "async_lru.alru_cache", "methodtools.lru_cache"}
)  # fmt: skip
# ... and, by the last part of their name, the project's own (``@memoize``, ``@utils.once``).
_MEMOISING_NAMES = frozenset(
    {"cache", "cached", "lru_cache", "cached_property", "memoize", "memoized", "memoise",
     "memoised", "once", "run_once", "call_once"}
)  # fmt: skip


def _memoising(decorator: str) -> bool:
    name = decorator.removesuffix("()")
    return name in _MEMOISING or name.rpartition(".")[2] in _MEMOISING_NAMES


# Local file-system calls: on a local disk they take microseconds to milliseconds, so
# only a direct call in an ``async def`` is strong evidence (not one deep in a helper,
# which is most often a configuration or template read).
_LOCAL_FILES = re.compile(
    r"^(builtins\.open|io\.open|pathlib\.\w+\.\w+|shutil\.\w+|glob\.\w+|tempfile\.\w+|"
    r"os\.(?!system|popen|wait|spawn|exec|posix_spawn|fork)\w+(\.\w+)?|"
    r"(gzip|bz2|lzma|zipfile|tarfile|PIL)\.[\w.]+)$"
)
#: Local file-system calls that read or write files, or list directories: their cost grows
#: with the data (unlike ``mkdir``, ``unlink``, ``stat``).
FILE_CONTENT = re.compile(
    r"^(builtins\.open|io\.open|"
    r"pathlib\.\w+\.(open|read_bytes|read_text|write_bytes|write_text|iterdir|glob|rglob|walk)|"
    r"os\.(walk|fwalk|listdir|scandir|read|write|sendfile)|shutil\.(copy\w*|rmtree|move)|glob\.\w+)$"
)
# Calls that wait only the first time they run: importing a module already imported
# is a dictionary look-up.
_FIRST_TIME_ONLY = frozenset({"importlib.import_module", "builtins.__import__"})
# Chains longer than this are weaker evidence: the deeper the helper, the likelier the
# path depends on state the checker cannot see.
_MAX_CHAIN = 3
_FOLLOW = object()  # "look inside the project function" (see ProjectIndex._direct_blocking)
# Blocking calls that return lazy iterators: the I/O happens as they are iterated.
_LAZY = frozenset(
    {
        "pathlib.Path.iterdir",
        "pathlib.Path.glob",
        "pathlib.Path.rglob",
        "pathlib.Path.walk",
        "os.walk",
        "os.fwalk",
        "glob.iglob",
        "concurrent.futures.Executor.map",
    }
)
_LIBRARY_TOPS = frozenset(sys.stdlib_module_names) | frozenset(
    name.partition(".")[0]
    for table in (kb.BLOCKING_CALLS, kb.RETURN_TYPES, kb.RESOURCES)
    for name in table
)


def _path_aliases(summary: FileSummary) -> Iterator[str]:
    path = summary.path.replace("\\", "/")
    parts = [p for p in path.split("/") if p and p not in (".", "..")]
    if not parts:
        return
    last = parts[-1]
    if last.endswith((".py", ".pyi")):
        last = last.rpartition(".")[0]
    parts[-1] = last
    if summary.is_package:
        parts.pop()
    for k in range(1, min(len(parts), 5) + 1):
        names = parts[-k:]
        if not all(n.isidentifier() for n in names) or names[0] in _LIBRARY_TOPS:
            continue
        yield ".".join(names)


#: A sleep this short (seconds) holds the loop up no longer than an ordinary step.
_BRIEF_SLEEP = 0.005


def _brief_sleep(site: CallSite) -> bool:
    """``time.sleep(0.001)``: a constant sleep of a few milliseconds at most."""
    consts = dict(site.consts)
    secs = consts.get("secs", consts.get(0))
    return isinstance(secs, int | float) and not isinstance(secs, bool) and secs <= _BRIEF_SLEEP


def _nonblocking(conditions: tuple[tuple[str, int, object], ...], site: CallSite) -> bool:
    consts = dict(site.consts)
    for keyword, position, wanted in conditions:
        got = consts.get(keyword, _MISSING)
        if got is _MISSING and position >= 0:
            got = consts.get(position, _MISSING)
        if got is not _MISSING and got == wanted and type(got) is type(wanted):
            return True
    return False
