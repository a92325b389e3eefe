"""Queue depths, pool occupancy and open resources, read from the inventory when asked.

The inventory (:mod:`._inventory`) knows which objects exist; this module
reads their state, at scrape time, usually from another thread than the
loop's: only lengths of the libraries' own containers (copied first, in one
C call) and the flags and predicates the libraries offer, never anything
that could wait or change the object.  A figure whose attribute is missing
here (another version of the library) is ``None`` and the doctor says so
once (``Doctor.unavailable``).

What is read, and the versions it was checked against:

* ``asyncio.Queue``: ``qsize()``, ``maxsize`` (0: unbounded), and the
  futures not yet done in ``_getters`` and ``_putters`` (tasks waiting in
  ``get()`` / ``put()``); CPython 3.11-3.15.
* aiohttp ``BaseConnector`` (3.9.0, 3.14.5): ``limit`` (0: no limit),
  ``closed``; in use: ``len(_acquired)`` (connections lent to requests, and
  those being opened); idle: the connections kept alive in ``_conns``;
  waiters: the futures not done in ``_waiters`` (requests waiting for a slot).
* httpcore ``AsyncConnectionPool`` / ``ConnectionPool`` (1.0.0, 1.0.9):
  ``connections`` (each ``is_closed()`` / ``is_idle()``; one still being
  opened is in use), ``_max_connections`` (``None``: no limit), and the
  requests of ``_requests`` that have no ``connection`` yet (waiters).  An
  httpcore pool has no closed state: it counts until it is collected.
* asyncpg ``Pool`` (0.29.0, 0.32.0), through its queue of connection holders:
  limit ``maxsize`` (the pool's ``max_size``); in use: the holders out of the
  queue (lent, or being opened or released); idle: the holders in the queue
  whose ``is_connected()``; waiters: the queue's waiting getters; closed:
  ``Pool.is_closing()``, through a holder's ``_pool``.
* Open resources: ``ClientSession.closed``, ``BaseConnector.closed``,
  httpx's ``Client.is_closed`` / ``AsyncClient.is_closed``, asyncpg's
  ``Connection.is_closed()`` and the pool's state above.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from ._inventory import ASYNCPG_POOL, QUEUE

if TYPE_CHECKING:
    from ._doctor import Doctor

__all__ = ["PoolSite", "QueueSite", "ResourceCount", "pool_sites", "queue_sites", "resource_counts"]

#: The label of the sites beyond the ``limit`` first, summed in one entry.
OTHER = "other"


@dataclass(frozen=True)
class QueueSite:
    """The live ``asyncio.Queue`` objects made at one line, now.

    ``site`` is ``path:line`` (``"unknown"`` for queues made before the doctor,
    ``"other"`` for the sites beyond the first ones).  ``depth`` is the items in
    all of them, ``max_depth`` in the fullest one; ``maxsize`` is the largest
    bound among them, 0 when one is unbounded; ``getters`` and ``putters`` are
    the tasks waiting in ``get()`` and ``put()``.  ``None``: not readable here.
    """

    site: str
    queues: int
    depth: int | None
    max_depth: int | None
    maxsize: int | None
    getters: int | None
    putters: int | None


@dataclass(frozen=True)
class PoolSite:
    """The open connection pools of one kind made at one line, now.

    ``kind`` names the pool's class (``aiohttp.BaseConnector``,
    ``httpcore.AsyncConnectionPool``, ``httpcore.ConnectionPool``,
    ``asyncpg.Pool``); ``site`` is where the pool was made, as for
    :class:`QueueSite` (an httpx client's pool is made where the client is).
    ``in_use`` counts the connections lent to requests (or being opened),
    ``idle`` those kept open for the next one, ``waiters`` the requests waiting
    for a connection.  ``limit`` is the most connections allowed, summed over
    the pools, 0 when one has no limit.  ``None``: not readable here.
    """

    kind: str
    site: str
    pools: int
    in_use: int | None
    idle: int | None
    waiters: int | None
    limit: int | None


@dataclass(frozen=True)
class ResourceCount:
    """Sessions, clients, connections or pools of one kind: open now, and made since install.

    ``open`` counts the live objects not closed (``None``: their state is not
    readable here); objects made before the doctor are counted as open, not as
    created.  One collected without being closed is no longer open: the
    ``unclosed-resource`` detector reports it.
    """

    kind: str
    open: int | None
    created: int


# -- reading one object --------------------------------------------------------------------

_ERRORS = (AttributeError, TypeError, ValueError)
_R = TypeVar("_R")
_RETRIES = 3


def _waiting(futures: Iterable[Any]) -> int:
    return sum(1 for future in list(futures) if not future.done())


def _read(doctor: Doctor, what: str, read: Callable[[Any], _R], obj: object) -> _R | None:
    """``read(obj)``, or ``None`` (said once) where the attributes it reads are not there.

    A container changed by the loop's thread while it is copied (possible on a
    free-threaded build) is read again.
    """
    for _ in range(_RETRIES):
        try:
            return read(obj)
        except RuntimeError:
            continue
        except _ERRORS as exc:
            doctor.unavailable(what, f"{type(exc).__name__}: {exc}")
            return None
    return None


def _queue(q: Any) -> tuple[int, int, int, int]:
    return int(q.qsize()), int(q.maxsize), _waiting(q._getters), _waiting(q._putters)


# A pool's reading: (closed, in use, idle, waiters, limit)
_Reading = tuple[bool, int, int, int, int]


def _aiohttp_pool(connector: Any) -> _Reading:
    idle = sum(map(len, list(connector._conns.values())))
    waiters = sum(_waiting(keyed) for keyed in list(connector._waiters.values()))
    return bool(connector.closed), len(connector._acquired), idle, waiters, int(connector.limit or 0)


def _httpcore_pool(pool: Any) -> _Reading:
    in_use = idle = 0
    for connection in pool.connections:
        if connection.is_closed():
            continue
        if connection.is_idle():
            idle += 1
        else:
            in_use += 1
    waiters = sum(1 for request in list(pool._requests) if request.connection is None)
    return False, in_use, idle, waiters, int(pool._max_connections or 0)


def _asyncpg_pool(queue: Any) -> _Reading:
    holders = list(queue._queue)
    limit = int(queue.maxsize)
    closed = bool(holders[0]._pool.is_closing()) if holders else False
    idle = sum(1 for holder in holders if holder.is_connected())
    return closed, max(0, limit - len(holders)), idle, _waiting(queue._getters), limit


_POOLS: dict[str, Callable[[Any], _Reading]] = {
    "aiohttp.BaseConnector": _aiohttp_pool,
    "httpcore.AsyncConnectionPool": _httpcore_pool,
    "httpcore.ConnectionPool": _httpcore_pool,
    ASYNCPG_POOL: _asyncpg_pool,
}

_CLOSED: dict[str, Callable[[Any], bool]] = {
    "aiohttp.ClientSession": lambda session: bool(session.closed),
    "aiohttp.BaseConnector": lambda connector: bool(connector.closed),
    "httpx.AsyncClient": lambda client: bool(client.is_closed),
    "httpx.Client": lambda client: bool(client.is_closed),
    "asyncpg.Connection": lambda connection: bool(connection.is_closed()),
    ASYNCPG_POOL: lambda queue: _asyncpg_pool(queue)[0],
}

#: The kinds counted as resources, in the order they are listed.
RESOURCE_KINDS = tuple(_CLOSED)


def readable(kind: str, obj: object) -> bool:
    """Whether ``obj``'s figures read without error: an object found by the scan of the
    garbage collector's objects may be one whose constructor failed (still referenced
    by a traceback), which is not taken in."""
    read = _queue if kind == QUEUE else _POOLS.get(kind) or _CLOSED.get(kind)
    try:
        if read is not None:
            read(obj)
    except Exception:
        return False
    return True


# -- sums ---------------------------------------------------------------------------------

def _sum(values: Iterable[int | None]) -> int | None:
    total = 0
    for value in values:
        if value is None:
            return None
        total += value
    return total


def _max(values: Iterable[int | None]) -> int | None:
    best = 0
    for value in values:
        if value is None:
            return None
        best = max(best, value)
    return best


def _bound(values: Iterable[int | None], combine: Callable[[list[int]], int]) -> int | None:
    """Bounds together: ``None`` if one is unknown, 0 (none) if one is 0, else ``combine``."""
    known: list[int] = []
    for value in values:
        if value is None:
            return None
        if value <= 0:
            return 0
        known.append(value)
    return combine(known) if known else 0


def _merge_queues(site: str, members: list[QueueSite]) -> QueueSite:
    return QueueSite(
        site=site,
        queues=sum(m.queues for m in members),
        depth=_sum(m.depth for m in members),
        max_depth=_max(m.max_depth for m in members),
        maxsize=_bound((m.maxsize for m in members), max),
        getters=_sum(m.getters for m in members),
        putters=_sum(m.putters for m in members),
    )


def _merge_pools(kind: str, site: str, members: list[PoolSite]) -> PoolSite:
    return PoolSite(
        kind=kind,
        site=site,
        pools=sum(m.pools for m in members),
        in_use=_sum(m.in_use for m in members),
        idle=_sum(m.idle for m in members),
        waiters=_sum(m.waiters for m in members),
        limit=_bound((m.limit for m in members), sum),
    )


# -- the figures --------------------------------------------------------------------------

def queue_sites(doctor: Doctor, limit: int = 20) -> list[QueueSite]:
    """The live queues by creation site, fullest first: ``limit`` sites, then ``"other"``."""
    inventory = doctor.inventory
    table = inventory.tables.get(QUEUE)
    if table is None:
        return []
    by_site: dict[str, list[QueueSite]] = {}
    for queue, site in table.objects():
        reading = _read(doctor, "queue figures", _queue, queue)
        label = inventory.site_label(site)
        if reading is None:
            one = QueueSite(label, 1, None, None, None, None, None)
        else:
            depth, maxsize, getters, putters = reading
            one = QueueSite(label, 1, depth, depth, max(0, maxsize), getters, putters)
        by_site.setdefault(label, []).append(one)
    sites = [_merge_queues(label, members) for label, members in by_site.items()]
    sites.sort(key=lambda s: (-(s.depth or 0), -s.queues, s.site))
    return _top(sites, limit, functools.partial(_merge_queues, OTHER))


def pool_sites(doctor: Doctor, limit: int = 20) -> list[PoolSite]:
    """The open pools by kind and creation site, busiest first: ``limit``, then ``"other"`` per kind."""
    inventory = doctor.inventory
    out: list[PoolSite] = []
    for kind, read in _POOLS.items():
        table = inventory.tables.get(kind)
        if table is None:
            continue
        by_site: dict[str, list[PoolSite]] = {}
        for pool, site in table.objects():
            reading = _read(doctor, f"pool figures: {kind}", read, pool)
            label = inventory.site_label(site)
            if reading is None:
                one = PoolSite(kind, label, 1, None, None, None, None)
            else:
                closed, in_use, idle, waiters, bound = reading
                if closed:
                    continue
                one = PoolSite(kind, label, 1, in_use, idle, waiters, bound)
            by_site.setdefault(label, []).append(one)
        sites = [_merge_pools(kind, label, members) for label, members in by_site.items()]
        sites.sort(key=lambda s: (-((s.in_use or 0) + (s.waiters or 0)), -s.pools, s.site))
        out.extend(_top(sites, limit, functools.partial(_merge_pools, kind, OTHER)))
    return out


def resource_counts(doctor: Doctor) -> list[ResourceCount]:
    """Open and created counts of each resource kind the program has made (or had at install)."""
    inventory = doctor.inventory
    out: list[ResourceCount] = []
    for kind in RESOURCE_KINDS:
        table = inventory.tables.get(kind)
        if table is None:
            continue
        closed_of = _CLOSED[kind]
        open_: int | None = 0
        alive = 0
        for obj, _site in table.objects():
            alive += 1
            closed = _read(doctor, f"open resources: {kind}", closed_of, obj)
            if closed is None:
                open_ = None
            elif not closed and open_ is not None:
                open_ += 1
        if alive or table.created:
            out.append(ResourceCount(kind, open_, table.created))
    return out


_T = TypeVar("_T")


def _top(items: list[_T], limit: int, merge: Callable[[list[_T]], _T]) -> list[_T]:
    if len(items) <= limit:
        return items
    return [*items[:limit], merge(items[limit:])]
