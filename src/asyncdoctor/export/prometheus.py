"""Loop health for Prometheus: a ``prometheus_client`` collector, and a ``/metrics`` server.

Needs the ``prometheus`` extra (``pip install 'asyncdoctor[prometheus]'``).
Every figure is read when Prometheus scrapes, from what the runtime doctor
already keeps (:meth:`asyncdoctor.runtime.Doctor.loop_health`): nothing runs
per task or per step.

>>> from prometheus_client import CollectorRegistry
>>> from asyncdoctor.export.prometheus import AsyncdoctorCollector
>>> registry = CollectorRegistry()
>>> registry.register(AsyncdoctorCollector())   # the running doctor, when there is one

``asyncdoctor run --metrics 127.0.0.1:9464 app.py`` serves the same figures.
The series and their labels are listed in ``docs/metrics.md``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, start_http_server
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector

from .. import runtime
from ._address import parse_address

if TYPE_CHECKING:
    from wsgiref.simple_server import WSGIServer

__all__ = ["AsyncdoctorCollector", "WorkersCollector", "parse_address", "serve"]

#: Blocking locations exported one by one; the others are summed under ``location="other"``.
MAX_LOCATIONS = 20
#: Coroutine names exported one by one (task statistics); the others under ``coroutine="other"``.
MAX_COROUTINES = 20


class AsyncdoctorCollector(Collector):
    """Reads the runtime doctor's figures at each scrape.

    ``doctor`` defaults to the one installed when the scrape happens
    (:func:`asyncdoctor.runtime.current`); with none, nothing is exported.
    """

    def __init__(self, doctor: runtime.Doctor | None = None) -> None:
        self._doctor = doctor

    def describe(self) -> list[Metric]:
        return []  # figures come and go with loops: nothing to check at registration

    def collect(self) -> Iterator[Metric]:
        doctor = self._doctor or runtime.current()
        if doctor is None:
            return
        health = doctor.loop_health()
        utilization = GaugeMetricFamily(
            "python_asyncio_eventloop_utilization_ratio",
            "Event-loop utilization since the loop started: active / (active + idle), idle being "
            "the time spent waiting in the OS poll (Node.js's definition)",
            labels=["loop", "method"],
        )
        lag = HistogramMetricFamily(
            "python_asyncio_eventloop_lag_seconds",
            "How late the doctor's heartbeat timer ran on the loop",
            labels=["loop"],
        )
        running = CounterMetricFamily(
            "python_asyncio_eventloop_running_seconds", "Time the loop has been running", labels=["loop"]
        )
        idle = CounterMetricFamily(
            "python_asyncio_eventloop_idle_seconds",
            "Time the loop waited in the OS poll with a timeout (exact on asyncio's loops, "
            "estimated on uvloop)",
            labels=["loop"],
        )
        cpu = CounterMetricFamily(
            "python_asyncio_eventloop_cpu_seconds", "CPU time of the loop's thread", labels=["loop"]
        )
        steps = CounterMetricFamily(
            "python_asyncio_eventloop_steps",
            "Callbacks the loop ran (task steps, timers, futures' callbacks; asyncio's loops only)",
            labels=["loop"],
        )
        for h in health:
            if h.steps is not None:
                steps.add_metric([h.label], h.steps)
            if h.utilization is not None and h.utilization_method is not None:
                utilization.add_metric([h.label, h.utilization_method], h.utilization)
            bounds = [*map(_le, h.lag_bounds), "+Inf"]
            lag.add_metric([h.label], list(zip(bounds, map(float, h.lag_buckets), strict=True)), h.lag_sum)
            running.add_metric([h.label], h.run_seconds)
            if h.idle_seconds is not None:
                idle.add_metric([h.label], h.idle_seconds)
            if h.cpu_seconds is not None:
                cpu.add_metric([h.label], h.cpu_seconds)
        yield from (utilization, lag, running, idle, cpu, steps)
        yield from _task_families(doctor, health)
        sites, other = doctor.blocking_sites(MAX_LOCATIONS)
        events = CounterMetricFamily(
            "python_asyncio_blocking_events",
            "Steps that blocked the event loop longer than the threshold, by the line that blocked",
            labels=["location"],
        )
        seconds = CounterMetricFamily(
            "python_asyncio_blocking_seconds", "Time the event loop was blocked, by the line that blocked",
            labels=["location"],
        )
        for site in [*sites, *([other] if other is not None else [])]:
            events.add_metric([site.location], site.count)
            seconds.add_metric([site.location], site.seconds)
        yield events
        yield seconds
        yield from _inventory_families(doctor)


def _le(bound: float) -> str:
    return repr(float(bound))


def _task_families(doctor: runtime.Doctor, health: list[runtime.LoopHealth]) -> Iterator[Metric]:
    """Tasks: alive by loop and coroutine (always); created, finished and lifetimes (``task_stats``)."""
    active = GaugeMetricFamily(
        "python_asyncio_tasks_active",
        "Tasks pending on the loop, by coroutine (counted at heartbeats; the names with the most "
        "tasks, then other)",
        labels=["loop", "coroutine"],
    )
    for h in health:
        for name, count in h.tasks_by_coroutine or ():
            active.add_metric([h.label, name], count)
    yield active
    stats = doctor.task_stats(MAX_COROUTINES)
    if stats is None:
        created = doctor.tasks.created
        if created is not None:  # unknown (Python 3.14+) is left out, never exported as 0
            total = CounterMetricFamily(
                "python_asyncio_tasks_created", "Tasks created in the process since the doctor started"
            )
            total.add_metric([], created)
            yield total
        return
    by_name = CounterMetricFamily(
        "python_asyncio_tasks_created",
        "Tasks the loops created since the doctor started, by coroutine",
        labels=["coroutine"],
    )
    finished = CounterMetricFamily(
        "python_asyncio_tasks_finished",
        "Tasks that ended, by coroutine and outcome (done, cancelled, failed)",
        labels=["coroutine", "outcome"],
    )
    duration = HistogramMetricFamily(
        "python_asyncio_task_duration_seconds",
        "How long tasks lived, from creation to their done callbacks, by coroutine",
        labels=["coroutine"],
    )
    bounds = [*map(_le, stats.duration_bounds), "+Inf"]
    for group in stats.coroutines:
        by_name.add_metric([group.name], group.created)
        for outcome, count in (("done", group.done), ("cancelled", group.cancelled), ("failed", group.failed)):
            finished.add_metric([group.name, outcome], count)
        duration.add_metric(
            [group.name], list(zip(bounds, map(float, group.duration_buckets), strict=True)),
            group.duration_sum,
        )  # fmt: skip
    yield from (by_name, finished, duration)


#: Creation sites exported one by one per family (queues, and pools of each kind); the others
#: are summed under ``site="other"``.
MAX_SITES = 20


def _inventory_families(doctor: runtime.Doctor) -> Iterator[Metric]:
    """Queues by creation site, connection pools by kind and site, open resources by kind."""
    queues = GaugeMetricFamily(
        "python_asyncio_queues", "Live asyncio.Queue objects, by the line that made them", labels=["site"]
    )
    depth = GaugeMetricFamily(
        "python_asyncio_queue_depth", "Items in the queues made at the line, in all", labels=["site"]
    )
    deepest = GaugeMetricFamily(
        "python_asyncio_queue_depth_max", "Items in the fullest queue made at the line", labels=["site"]
    )
    maxsize = GaugeMetricFamily(
        "python_asyncio_queue_maxsize",
        "The largest maxsize of the queues made at the line (0: one is unbounded)", labels=["site"],
    )
    waiters = GaugeMetricFamily(
        "python_asyncio_queue_waiters",
        "Tasks waiting in get() or put() on the queues made at the line", labels=["site", "op"],
    )
    for q in doctor.queues(MAX_SITES):
        queues.add_metric([q.site], q.queues)
        for family, value in ((depth, q.depth), (deepest, q.max_depth), (maxsize, q.maxsize)):
            if value is not None:
                family.add_metric([q.site], value)
        for op, value in (("get", q.getters), ("put", q.putters)):
            if value is not None:
                waiters.add_metric([q.site, op], value)
    yield from (queues, depth, deepest, maxsize, waiters)
    pools = GaugeMetricFamily(
        "python_asyncio_pools", "Open connection pools, by kind and the line that made them",
        labels=["kind", "site"],
    )
    connections = GaugeMetricFamily(
        "python_asyncio_pool_connections",
        "Connections of the pools, in use (lent to a request, or being opened) or idle (kept open)",
        labels=["kind", "site", "state"],
    )
    limit = GaugeMetricFamily(
        "python_asyncio_pool_connections_limit",
        "The most connections the pools allow, in all (0: one has no limit)", labels=["kind", "site"],
    )
    pending = GaugeMetricFamily(
        "python_asyncio_pool_waiters", "Requests waiting for a connection of the pools",
        labels=["kind", "site"],
    )
    for p in doctor.pools(MAX_SITES):
        pools.add_metric([p.kind, p.site], p.pools)
        for state, value in (("in_use", p.in_use), ("idle", p.idle)):
            if value is not None:
                connections.add_metric([p.kind, p.site, state], value)
        if p.limit is not None:
            limit.add_metric([p.kind, p.site], p.limit)
        if p.waiters is not None:
            pending.add_metric([p.kind, p.site], p.waiters)
    yield from (pools, connections, limit, pending)
    opened = GaugeMetricFamily(
        "python_asyncio_resources_open",
        "Sessions, clients, pools and connections open now (made and not closed), by kind",
        labels=["kind"],
    )
    created = CounterMetricFamily(
        "python_asyncio_resources_created",
        "Sessions, clients, pools and connections made since the doctor started, by kind",
        labels=["kind"],
    )
    for r in doctor.resources():
        if r.open is not None:
            opened.add_metric([r.kind], r.open)
        created.add_metric([r.kind], r.created)
    yield from (opened, created)


def serve(address: str, doctor: runtime.Doctor | None = None) -> tuple[WSGIServer, threading.Thread]:
    """Serve ``/metrics`` on ``address`` (``[HOST:]PORT``, 127.0.0.1 unless a host is given).

    The server runs in a daemon thread; it only reads figures (no request can
    change the program).  The registry holds asyncdoctor's collector alone, so
    that the program's own metrics are not served twice.

    Under ``asyncdoctor run``, which follows the program's worker processes,
    each scrape also asks every live worker for its figures (:class:`WorkersCollector`):
    their series carry a ``worker="PID"`` label, the program's own series none.
    """
    host, port = parse_address(address)
    registry = CollectorRegistry(auto_describe=False)
    registry.register(WorkersCollector(AsyncdoctorCollector(doctor), doctor))
    server, thread = start_http_server(port, addr=host, registry=registry)
    return server, thread


#: Seconds a scrape waits for the workers' answers (asked all at once).
WORKER_TIMEOUT = 2.0


class WorkersCollector(Collector):
    """``own``'s families, with the series of every live worker of a followed run added.

    At each scrape the workers' live sockets (``asyncdoctor.runtime._live``)
    are asked for their Prometheus text, all at once, for at most
    :data:`WORKER_TIMEOUT` seconds; each answer is parsed with
    ``prometheus_client``'s own parser and its samples join the family of the
    same name (a family the program itself does not have is added) with a
    ``worker="PID"`` label.  Nothing here depends on which families exist.
    The program's own series keep no ``worker`` label, so that they do not
    change when workers come and go; a worker that ended, or did not answer in
    time, is left out of that scrape.  With no worker the output is exactly
    ``own``'s.
    """

    def __init__(self, own: Collector, doctor: runtime.Doctor | None = None) -> None:
        self._own = own
        self._doctor = doctor

    def describe(self) -> list[Metric]:
        return []

    def collect(self) -> Iterator[Metric]:
        families = {family.name: family for family in self._own.collect()}
        answers = _ask_workers(self._doctor or runtime.current())
        if answers:
            from prometheus_client.parser import text_string_to_metric_families

            for pid, text in sorted(answers.items()):
                label = str(pid)
                for family in text_string_to_metric_families(text):
                    target = families.get(family.name)
                    if target is None:
                        target = families[family.name] = Metric(
                            family.name, family.documentation, family.type, family.unit
                        )
                    elif target.type != family.type:
                        continue  # not the same figure: keep the program's own
                    target.samples.extend(
                        sample._replace(labels={**sample.labels, "worker": label})
                        for sample in family.samples
                    )
        yield from families.values()


def _ask_workers(doctor: runtime.Doctor | None) -> dict[int, str]:
    """The Prometheus text of each live worker of ``doctor``'s followed run: pid -> text."""
    follower = doctor.follower if doctor is not None else None
    if follower is None or follower.role != "parent":
        return {}
    sockets = follower.live_sockets()
    if not sockets:
        return {}
    import time

    from ..runtime._live import ask

    answers: dict[int, str] = {}

    def one(pid: int, path: str) -> None:
        try:
            answer = ask(path, "metrics", timeout=WORKER_TIMEOUT)
        except (OSError, ValueError):
            return  # ended, or too slow this time
        value = answer.get("value")
        if answer.get("ok") is True and isinstance(value, str):
            answers[pid] = value

    threads = [threading.Thread(target=one, args=item, daemon=True) for item in sockets.items()]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + WORKER_TIMEOUT
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    return dict(answers)
