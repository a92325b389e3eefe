"""The inventory: the queues, connection pools, sessions and clients the program makes.

Nothing runs per operation: the doctor learns of an object once, when it is
made, and reads its figures only when asked (:mod:`._resources`, at scrape
time, from another thread).  It never keeps a strong reference to the
program's objects, and never replaces or changes one.

**How objects are found.**  The ``__init__`` of a few classes is wrapped on
the class (through ``doctor.patches``, undone by ``uninstall``): the wrapper
calls the original with the same arguments and returns its result (an
exception propagates as it is; its traceback shows one more frame, the
wrapper's), then notes the new object and its creation site in a table,
through a weak reference without a callback (an object's death costs
nothing; see :class:`Table`).  ``functools.wraps`` keeps the name, the docstring and
``__wrapped__``, so ``inspect.signature(cls)`` is unchanged.  The classes:

* ``asyncio.Queue`` (so also ``PriorityQueue``, ``LifoQueue`` and the
  program's subclasses), wrapped when the doctor is installed;
* aiohttp's ``ClientSession`` and ``BaseConnector`` (every connector),
  httpx's ``AsyncClient`` and ``Client``, httpcore's
  ``AsyncConnectionPool`` and ``ConnectionPool`` (what an httpx client pools
  its connections in), asyncpg's ``Connection``; found by their public names
  on the package.  asyncpg's ``Pool`` has ``__slots__`` without
  ``__weakref__``: it is followed through the ``asyncio.LifoQueue`` of
  connection holders it makes in ``Pool._initialize`` (a queue made by that
  function's code is a pool's, not a queue of the program), which gives
  every figure of the pool.

A library imported after the doctor is installed (the usual case under
``asyncdoctor run``) is patched when its import ends: a finder at the head of
``sys.meta_path`` answers only for the four package names above (every other
import costs it one set look-up), asks the finders after it for the spec,
and puts a loader in front of the real one for the time of the import: its
``exec_module`` gives the module back its real loader (``__loader__`` and
``__spec__.loader``) before running it, then patches the classes.  The
packages already imported at install time are patched at once, and again
checked each time a loop starts (in case another finder hid an import).

**Objects made before the doctor** are found with one pass over the garbage
collector's objects at install time, made only when the doctor is
installed into a program already under way (a loop running in the installing
thread, or one of the libraries already imported): under ``asyncdoctor run``
there is nothing to find yet, and start-up pays nothing.  Their creation site
is unknown, and they are not counted as created.

**Creation site.**  The first frame, outward from the constructor, that is
neither asyncio's, asyncdoctor's, the library's own (by the top-level name of
the frame's module: a session made by another library is that library's), nor
the ``__init__`` of a subclass of the watched class on the way; taken with
``sys._getframe`` once per object (the module of each code object is
cached) and kept as ``(code, lasti)``, turned into ``path:line`` only when
read.  Measured cost (``bench/inventory_cost.py``): about 9,600 instructions
per queue made and dropped, on 9,000 for the queue itself.

Library internals read here were checked against aiohttp 3.9.0 and 3.14.5,
httpx 0.27.0 and 0.29.0, httpcore 1.0.0 and 1.0.9, asyncpg 0.29.0 and 0.32.0,
and CPython 3.11-3.13 (run) and 3.14-3.15 (source); see :mod:`._resources`
for the figures.  Where one is missing, the figure is ``None`` and the
doctor says so (``Doctor.unavailable``).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import itertools
import sys
import threading
import types
import weakref
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from ._frames import line_of
from ._models import Frame

if TYPE_CHECKING:
    from importlib.machinery import ModuleSpec

    from ._doctor import Doctor

__all__ = ["ASYNCPG_POOL", "PACKAGES", "QUEUE", "Inventory", "Site", "Table", "site_frame"]

_getframe = sys._getframe

QUEUE = "asyncio.Queue"
ASYNCPG_POOL = "asyncpg.Pool"

#: Package -> (public class name, kind, top-level packages whose frames are not a creation site).
PACKAGES: dict[str, tuple[tuple[str, str, frozenset[str]], ...]] = {
    "aiohttp": (
        ("ClientSession", "aiohttp.ClientSession", frozenset({"aiohttp"})),
        ("BaseConnector", "aiohttp.BaseConnector", frozenset({"aiohttp"})),
    ),
    "httpx": (
        ("AsyncClient", "httpx.AsyncClient", frozenset({"httpx", "httpcore"})),
        ("Client", "httpx.Client", frozenset({"httpx", "httpcore"})),
    ),
    "httpcore": (
        ("AsyncConnectionPool", "httpcore.AsyncConnectionPool", frozenset({"httpx", "httpcore"})),
        ("ConnectionPool", "httpcore.ConnectionPool", frozenset({"httpx", "httpcore"})),
    ),
    "asyncpg": (("Connection", "asyncpg.Connection", frozenset({"asyncpg"})),),
}
_ALWAYS_SKIPPED = frozenset({"asyncio", "asyncdoctor"})
_ASYNCPG_SKIPPED = _ALWAYS_SKIPPED | {"asyncpg"}
#: Entries a table holds before its first clean-up of dead objects.
_PRUNE_AT = 1024


#: Where an object was made: the frame's code and last instruction, or ``None`` (unknown).
Site = tuple[types.CodeType, int] | None


class Table:
    """The live objects of one kind, by ``id``, and how many were made since install.

    Each entry is keyed by the ``id`` of its weak reference (which the
    entry keeps alive, so the id is not reused), and holds the reference and
    the creation site.  The references have no callback, so that an object's
    death costs nothing: the entries of dead objects are dropped when the
    table has doubled since the last time (in place, so that an entry added
    meanwhile by another thread is kept), which costs, spread over the
    additions, a constant per object.  ``created`` counts with ``next()`` on
    an ``itertools.count``, which no thread switch can split.
    """

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.live: dict[int, tuple[weakref.ref[Any], Site]] = {}
        self.counter = itertools.count()
        self.prune_at = _PRUNE_AT

    def add(self, obj: object, site: Site, *, new: bool = True) -> None:
        ref = weakref.ref(obj)
        live = self.live
        live[id(ref)] = (ref, site)
        if new:
            next(self.counter)
        if len(live) > self.prune_at:
            self.prune()

    def prune(self) -> None:
        """Drop the entries of the objects collected since."""
        live = self.live
        for key in [key for key, (ref, _site) in list(live.items()) if ref() is None]:
            live.pop(key, None)
        self.prune_at = max(_PRUNE_AT, 2 * len(live))

    def has(self, obj: object) -> bool:
        """Whether ``obj`` is in the table (a scan over it)."""
        return any(ref() is obj for ref, _site in list(self.live.values()))

    @property
    def created(self) -> int:
        """Objects made since install (``repr`` reads an ``itertools.count`` without advancing it)."""
        return int(repr(self.counter)[6:-1])

    def objects(self) -> Iterator[tuple[Any, Site]]:
        """Each live object and its site (strong references held only while iterated)."""
        for ref, site in list(self.live.values()):
            obj = ref()
            if obj is not None:
                yield obj, site


class _Loader:
    """Stands in front of a library's real loader for the time of its import."""

    def __init__(self, loader: Any, finder: _Finder, name: str) -> None:
        self._loader = loader
        self._finder = finder
        self._name = name

    def __getattr__(self, name: str) -> Any:
        return getattr(self._loader, name)

    def create_module(self, spec: ModuleSpec) -> Any:
        create = getattr(self._loader, "create_module", None)
        return create(spec) if create is not None else None

    def exec_module(self, module: types.ModuleType) -> None:
        loader = self._loader
        spec = getattr(module, "__spec__", None)
        if spec is not None and spec.loader is self:
            spec.loader = loader
        if getattr(module, "__loader__", None) is self:
            module.__loader__ = loader
        loader.exec_module(module)
        self._finder.imported(self._name)


class _Finder:
    """A ``sys.meta_path`` finder that answers only for the watched packages (see the module docstring)."""

    def __init__(self, inventory: Inventory, names: frozenset[str]) -> None:
        self._inventory = inventory
        self._names = names

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> ModuleSpec | None:
        if fullname not in self._names:
            return None
        try:
            return self._find(fullname, path, target)
        except Exception as exc:
            self._inventory.doctor.internal_error("inventory import hook", exc)
            return None

    def _find(self, fullname: str, path: Any, target: Any) -> ModuleSpec | None:
        finders = list(sys.meta_path)
        after = finders[finders.index(self) + 1 :] if self in finders else finders
        for finder in after:
            find = getattr(finder, "find_spec", None)
            if find is None:
                continue
            spec: ModuleSpec | None = find(fullname, path, target)
            if spec is None:
                continue
            loader = spec.loader
            if loader is not None and hasattr(loader, "exec_module"):
                spec.loader = _Loader(loader, self, fullname)  # type: ignore[assignment]
            return spec
        return None

    def imported(self, name: str) -> None:
        try:
            self._inventory.patch_package(name, imported=True)
        except Exception as exc:
            self._inventory.doctor.internal_error("inventory", exc)


class Inventory:
    """Finds the queues, pools, sessions and clients (see the module docstring)."""

    def __init__(self, doctor: Doctor) -> None:
        self.doctor = doctor
        self.tables: dict[str, Table] = {}
        self._lock = threading.Lock()
        self._patched: set[type] = set()
        self._packages: set[str] = set()
        self._finder: _Finder | None = None
        # id(code) -> (top-level module name, code): the code is kept so that its id stays unique
        self._modules: dict[int, tuple[str, types.CodeType]] = {}
        # id(subclass) -> (a weak reference to it, the ids of the __init__ codes between it and
        # the watched class, or None when it has none): a WeakKeyDictionary would make a weak
        # reference at each look-up
        self._inits: dict[int, tuple[weakref.ref[type], frozenset[int] | None]] = {}
        # id(code) of the functions that make a pool's queue (asyncpg's Pool._initialize)
        self._pool_makers: dict[int, types.CodeType] = {}
        self._queue_class: type | None = None

    def table(self, kind: str) -> Table:
        table = self.tables.get(kind)
        if table is None:
            with self._lock:
                table = self.tables.setdefault(kind, Table(kind))
        return table

    def after_fork(self) -> None:
        """In a forked child: locks another thread may have held at the fork, afresh."""
        self._lock = threading.Lock()

    # -- installation -----------------------------------------------------------

    def install(self) -> None:
        """Wrap ``asyncio.Queue``, the libraries already imported, and watch for the others."""
        queue_class = asyncio.Queue
        self._queue_class = queue_class
        self.table(QUEUE)
        self._wrap(queue_class, QUEUE, _ALWAYS_SKIPPED, queue=True)
        existing = [name for name in PACKAGES if name in sys.modules]
        for name in existing:
            self.patch_package(name)
        finder = _Finder(self, frozenset(PACKAGES))
        sys.meta_path.insert(0, finder)
        self._finder = finder
        if existing or asyncio._get_running_loop() is not None:
            self._adopt_existing()

    def uninstall(self) -> None:
        """Take the import hook out (the class patches are undone by the doctor right after)."""
        self._patched.clear()
        self._packages.clear()
        finder, self._finder = self._finder, None
        if finder is not None:
            with contextlib.suppress(ValueError):
                sys.meta_path.remove(finder)

    def scan(self) -> None:
        """Patch the watched packages imported since (cheap: a few dictionary look-ups)."""
        for name in PACKAGES:
            if name not in self._packages and name in sys.modules:
                self.patch_package(name)

    def patch_package(self, name: str, *, imported: bool = False) -> None:
        """Wrap the constructors of package ``name`` (once; the package must be imported).

        ``imported``: called as the package's import ends (it still reads as
        being imported then); otherwise a package still being imported, in
        another thread, is left for its import hook.
        """
        module = sys.modules.get(name)
        if module is None or name in self._packages:
            return
        spec = getattr(module, "__spec__", None)
        if not imported and spec is not None and getattr(spec, "_initializing", False):
            return
        self._packages.add(name)
        for class_name, kind, skip in PACKAGES[name]:
            cls = getattr(module, class_name, None)
            if not isinstance(cls, type):
                self.doctor.unavailable(f"inventory: {kind}", f"{name}.{class_name} is not a class here")
                continue
            self.table(kind)
            self._wrap(cls, kind, _ALWAYS_SKIPPED | skip)
        if name == "asyncpg":
            self._watch_asyncpg_pools(module)

    def _watch_asyncpg_pools(self, module: types.ModuleType) -> None:
        pool = getattr(module, "Pool", None)
        initialize = getattr(pool, "_initialize", None) if pool is not None else None
        code = getattr(initialize, "__code__", None)
        if not isinstance(code, types.CodeType):
            self.doctor.unavailable(
                f"inventory: {ASYNCPG_POOL}",
                "asyncpg.Pool._initialize, which makes the pool's queue, is not found here "
                "(verified with asyncpg 0.29-0.32)",
            )
            return
        self.table(ASYNCPG_POOL)
        self._pool_makers[id(code)] = code

    def _wrap(self, cls: type, kind: str, skip: frozenset[str], *, queue: bool = False) -> None:
        if cls in self._patched:
            return
        original = cls.__dict__.get("__init__")
        if not isinstance(original, types.FunctionType):
            self.doctor.unavailable(
                f"inventory: {kind}", f"{cls.__module__}.{cls.__qualname__}.__init__ is not a Python function"
            )
            return
        self._patched.add(cls)
        self.doctor.patches.set(cls, "__init__", self._wrapper(original, cls, self.table(kind), skip, queue))

    # -- per object ----------------------------------------------------------------

    def _wrapper(self, original: types.FunctionType, cls: type, table: Table, skip: frozenset[str],
                 queue: bool) -> Callable[..., Any]:
        """The ``__init__`` that replaces ``original`` on ``cls``.

        It runs the original, then finds the creation site (see the module
        docstring) and adds the object to ``table``; a queue made by asyncpg's
        ``Pool._initialize`` goes to the pools' table instead.  Written for
        speed, in one function: it runs once per object made.
        """
        modules = self._modules
        module_of = self._module
        subclass_inits = self._subclass_inits
        known_inits = self._inits
        pool_makers = self._pool_makers
        weak = weakref.ref
        inventory = self

        @functools.wraps(original)
        def __init__(self: Any, *args: Any, **kwargs: Any) -> Any:
            result = original(self, *args, **kwargs)
            try:
                made = type(self)
                inits: frozenset[int] | None = None
                if made is not cls:
                    entry = known_inits.get(id(made))
                    inits = (entry[1] if entry is not None and entry[0]() is made
                             else subclass_inits(made, cls))
                into, skipped = table, skip
                site: Site = None
                frame: types.FrameType | None = _getframe(1)
                while frame is not None:
                    code = frame.f_code
                    known = modules.get(id(code))
                    top = known[0] if known is not None else module_of(frame)
                    if top not in skipped and (inits is None or id(code) not in inits):
                        if queue and pool_makers and id(code) in pool_makers and into is table:
                            into, skipped = inventory.table(ASYNCPG_POOL), _ASYNCPG_SKIPPED
                        else:
                            site = (code, frame.f_lasti)
                            break
                    frame = frame.f_back
                ref = weak(self)
                live = into.live
                live[id(ref)] = (ref, site)
                next(into.counter)
                if len(live) > into.prune_at:
                    into.prune()
            except Exception as exc:
                inventory.doctor.internal_error("inventory", exc)
            return result

        return __init__

    def _module(self, frame: types.FrameType) -> str:
        code = frame.f_code
        known = self._modules.get(id(code))
        if known is None:
            name = frame.f_globals.get("__name__")
            top = name.partition(".")[0] if isinstance(name, str) else ""
            self._modules[id(code)] = known = (top, code)
        return known[0]

    def _subclass_inits(self, sub: type, cls: type) -> frozenset[int] | None:
        """The ``__init__`` codes of ``sub``'s classes down to ``cls``: frames not to blame.

        ``None`` when there is none (``PriorityQueue``, ``TCPConnector``...).
        """
        entry = self._inits.get(id(sub))
        if entry is not None and entry[0]() is sub:
            return entry[1]
        codes = set()
        for klass in sub.__mro__:
            if klass is cls:
                break
            init = klass.__dict__.get("__init__")
            code = getattr(init, "__code__", None)
            if isinstance(code, types.CodeType):
                codes.add(id(code))
        known = frozenset(codes) if codes else None
        with contextlib.suppress(TypeError):  # a type that takes no weak reference
            self._inits[id(sub)] = (weakref.ref(sub), known)
        return known

    def site_label(self, site: Site) -> str:
        """``path:line`` of a site, or ``"unknown"``."""
        frame = site_frame(site)
        return str(frame) if frame is not None else "unknown"

    # -- objects made before the doctor ----------------------------------------------

    def _adopt_existing(self) -> None:
        """Note the watched objects that exist already (one pass over the GC's objects)."""
        import gc

        from ._resources import readable

        watched: dict[type, Table] = {cls: self.tables[kind] for cls, kind in self._classes()}
        pool_class = _asyncpg_pool_class()
        objects = gc.get_objects()
        kinds: dict[type, Table] = {}
        for t in set(map(type, objects)):
            found: Table | None = None
            for cls, table in watched.items():
                if issubclass(t, cls):
                    found = table
                    break
            if pool_class is not None and issubclass(t, pool_class):
                found = self.tables.get(ASYNCPG_POOL)
            if found is not None:
                kinds[t] = found
        mine = list(itertools.compress(objects, map(kinds.__contains__, map(type, objects))))
        del objects
        pool_queues: dict[int, Any] = {}
        for obj in mine:
            table = kinds[type(obj)]
            if table.kind == ASYNCPG_POOL:
                queue = getattr(obj, "_queue", None)
                if queue is not None and readable(ASYNCPG_POOL, queue):
                    pool_queues[id(queue)] = queue
                    table.add(queue, None, new=False)
            elif readable(table.kind, obj) and not table.has(obj):
                table.add(obj, None, new=False)
        queues = self.tables.get(QUEUE)
        if queues is not None and pool_queues:
            for key, (ref, _site) in list(queues.live.items()):
                if id(ref()) in pool_queues:
                    queues.live.pop(key, None)

    def _classes(self) -> Iterator[tuple[type, str]]:
        if self._queue_class is not None:
            yield self._queue_class, QUEUE
        for name in self._packages:
            module = sys.modules.get(name)
            for class_name, kind, _skip in PACKAGES[name]:
                cls = getattr(module, class_name, None)
                if isinstance(cls, type) and kind in self.tables:
                    yield cls, kind


def _asyncpg_pool_class() -> type | None:
    module = sys.modules.get("asyncpg")
    cls = getattr(module, "Pool", None) if module is not None else None
    return cls if isinstance(cls, type) else None


# (id(code), lasti) -> (code, its frame): the code is kept so that its id stays unique
_frames: dict[tuple[int, int], tuple[types.CodeType, Frame]] = {}


def site_frame(site: Site) -> Frame | None:
    """The :class:`Frame` of a creation site (cached: reading a line table costs)."""
    if site is None:
        return None
    code, lasti = site
    key = (id(code), lasti)
    known = _frames.get(key)
    if known is None:
        known = _frames[key] = (code, Frame(code.co_filename, line_of(code, lasti), code.co_name))
    return known[1]
