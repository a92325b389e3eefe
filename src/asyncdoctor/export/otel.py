"""Loop health for OpenTelemetry: observable instruments through ``opentelemetry-api``.

Needs the ``otel`` extra (``pip install 'asyncdoctor[otel]'``), and an SDK or
distro configured by the program, as for any instrumentation library: with
none, the API's no-op meter makes this cost nothing.

>>> from asyncdoctor.export.otel import instrument
>>> instrument()          # the global MeterProvider; or instrument(meter_provider=...)

The figures are the Prometheus exporter's (see ``docs/metrics.md``), named in
OpenTelemetry's style after Node.js's runtime metrics
(``nodejs.eventloop.utilization``, ``nodejs.eventloop.time`` with a
``state`` attribute): each is read from the runtime doctor when the SDK
collects, never per task or per step.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from opentelemetry.metrics import CallbackOptions, Meter, MeterProvider, Observation, get_meter

from .. import __version__, runtime
from ..runtime._metrics import lag_quantile

__all__ = ["instrument"]

_Callback = Callable[[CallbackOptions], Iterable[Observation]]


class _Instruments:
    def __init__(self, doctor: runtime.Doctor | None) -> None:
        self._doctor = doctor

    def doctor(self) -> runtime.Doctor | None:
        return self._doctor or runtime.current()

    def health(self) -> list[runtime.LoopHealth]:
        doctor = self.doctor()
        return doctor.loop_health() if doctor is not None else []

    def utilization(self, _options: CallbackOptions) -> Iterable[Observation]:
        for h in self.health():
            if h.utilization is not None and h.utilization_method is not None:
                yield Observation(h.utilization, {"loop": h.label, "method": h.utilization_method})

    def time(self, _options: CallbackOptions) -> Iterable[Observation]:
        for h in self.health():
            if h.idle_seconds is not None:
                yield Observation(h.idle_seconds, {"loop": h.label, "state": "idle"})
                yield Observation(max(0.0, h.run_seconds - h.idle_seconds), {"loop": h.label, "state": "active"})

    def delay(self, q: float) -> _Callback:
        def observe(_options: CallbackOptions) -> Iterable[Observation]:
            for h in self.health():
                bucket = lag_quantile(h.lag_bounds, h.lag_buckets, q)
                if bucket is not None:
                    low, high = bucket
                    # the bucket's upper bound (above the last one: not less than twice its low)
                    yield Observation(high if high != float("inf") else 2 * low, {"loop": h.label})

        return observe

    def cpu(self, _options: CallbackOptions) -> Iterable[Observation]:
        for h in self.health():
            if h.cpu_seconds is not None:
                yield Observation(h.cpu_seconds, {"loop": h.label})

    def steps(self, _options: CallbackOptions) -> Iterable[Observation]:
        for h in self.health():
            if h.steps is not None:
                yield Observation(h.steps, {"loop": h.label})

    def tasks_active(self, _options: CallbackOptions) -> Iterable[Observation]:
        for h in self.health():
            for name, count in h.tasks_by_coroutine or ():
                yield Observation(count, {"loop": h.label, "coroutine": name})

    def task_stats(self) -> runtime.TaskStats | None:
        doctor = self.doctor()
        return doctor.task_stats() if doctor is not None else None

    def tasks_created(self, _options: CallbackOptions) -> Iterable[Observation]:
        stats = self.task_stats()
        if stats is not None:  # task_stats: by coroutine
            for group in stats.coroutines:
                yield Observation(group.created, {"coroutine": group.name})
            return
        doctor = self.doctor()
        created = doctor.tasks.created if doctor is not None else None
        if created is not None:  # unknown (3.14+) is left out, never 0
            yield Observation(created)

    def tasks_finished(self, _options: CallbackOptions) -> Iterable[Observation]:
        stats = self.task_stats()
        for group in stats.coroutines if stats is not None else ():
            for outcome, count in (("done", group.done), ("cancelled", group.cancelled),
                                   ("failed", group.failed)):  # fmt: skip
                yield Observation(count, {"coroutine": group.name, "outcome": outcome})

    def task_duration(self, q: float) -> _Callback:
        def observe(_options: CallbackOptions) -> Iterable[Observation]:
            stats = self.task_stats()
            if stats is None:
                return
            for group in stats.coroutines:
                bucket = lag_quantile(stats.duration_bounds, group.duration_buckets, q)
                if bucket is not None:
                    low, high = bucket
                    yield Observation(high if high != float("inf") else 2 * low, {"coroutine": group.name})

        return observe

    def blocking(self, field: str) -> _Callback:
        def observe(_options: CallbackOptions) -> Iterable[Observation]:
            doctor = self.doctor()
            if doctor is None:
                return
            sites, other = doctor.blocking_sites()
            for site in [*sites, *([other] if other is not None else [])]:
                yield Observation(site.count if field == "count" else site.seconds, {"location": site.location})

        return observe


def instrument(meter_provider: MeterProvider | None = None, doctor: runtime.Doctor | None = None) -> Meter:
    """Register asyncdoctor's observable instruments on a meter of ``meter_provider``.

    ``doctor`` defaults to the one installed when the SDK collects
    (:func:`asyncdoctor.runtime.current`). Returns the meter.
    """
    meter = get_meter("asyncdoctor", __version__, meter_provider=meter_provider)
    source = _Instruments(doctor)
    table: list[tuple[str, str, _Callback, str, str]] = [
        ("gauge", "python.asyncio.eventloop.utilization", source.utilization, "1",
         "Event-loop utilization since the loop started: active / (active + idle)"),
        ("counter", "python.asyncio.eventloop.time", source.time, "s",
         "Time the loop was running, by state (idle: waiting in the OS poll)"),
        *[("gauge", f"python.asyncio.eventloop.delay.{name}", source.delay(q), "s",
           f"Loop lag, {name} (upper bound of its histogram bucket)")
          for name, q in (("p50", 0.5), ("p90", 0.9), ("p99", 0.99))],
        ("counter", "python.asyncio.eventloop.cpu.time", source.cpu, "s", "CPU time of the loop's thread"),
        ("counter", "python.asyncio.eventloop.steps", source.steps, "{step}",
         "Callbacks the loop ran (task steps, timers, futures' callbacks; asyncio's loops only)"),
        ("up_down_counter", "python.asyncio.tasks.active", source.tasks_active, "{task}",
         "Tasks pending on the loop by coroutine, counted at heartbeats"),
        ("counter", "python.asyncio.tasks.created", source.tasks_created, "{task}",
         "Tasks created in the process since the doctor started (by coroutine with task_stats)"),
        ("counter", "python.asyncio.tasks.finished", source.tasks_finished, "{task}",
         "Tasks that ended, by coroutine and outcome (task_stats)"),
        *[("gauge", f"python.asyncio.task.duration.{name}", source.task_duration(q), "s",
           f"Task lifetime {name} by coroutine (upper bound of its histogram bucket; task_stats)")
          for name, q in (("p50", 0.5), ("p90", 0.9), ("p99", 0.99))],
        ("counter", "python.asyncio.blocking.count", source.blocking("count"), "{event}",
         "Steps that blocked the event loop longer than the threshold, by line"),
        ("counter", "python.asyncio.blocking.time", source.blocking("seconds"), "s",
         "Time the event loop was blocked, by line"),
    ]  # fmt: skip
    table += _inventory_instruments(source.doctor)
    for kind, name, callback, unit, description in table:
        create = getattr(meter, f"create_observable_{kind}")
        create(name, [callback], unit=unit, description=description)
    return meter


#: Creation sites observed one by one per instrument (queues, pools of each kind); then "other".
MAX_SITES = 20


def _inventory_instruments(
    doctor: Callable[[], runtime.Doctor | None],
) -> list[tuple[str, str, _Callback, str, str]]:
    """Queues by creation site, pools by kind and site, open resources by kind (see ``docs/metrics.md``)."""

    def queues(read: Callable[[runtime.QueueSite], Iterable[tuple[int | None, dict[str, str]]]]) -> _Callback:
        def observe(_options: CallbackOptions) -> Iterable[Observation]:
            d = doctor()
            for q in d.queues(MAX_SITES) if d is not None else ():
                for value, attributes in read(q):
                    if value is not None:
                        yield Observation(value, {"site": q.site, **attributes})

        return observe

    def pools(read: Callable[[runtime.PoolSite], Iterable[tuple[int | None, dict[str, str]]]]) -> _Callback:
        def observe(_options: CallbackOptions) -> Iterable[Observation]:
            d = doctor()
            for p in d.pools(MAX_SITES) if d is not None else ():
                for value, attributes in read(p):
                    if value is not None:
                        yield Observation(value, {"kind": p.kind, "site": p.site, **attributes})

        return observe

    def resources(field: str) -> _Callback:
        def observe(_options: CallbackOptions) -> Iterable[Observation]:
            d = doctor()
            for r in d.resources() if d is not None else ():
                value = r.open if field == "open" else r.created
                if value is not None:
                    yield Observation(value, {"kind": r.kind})

        return observe

    return [
        ("up_down_counter", "python.asyncio.queue.count", queues(lambda q: [(q.queues, {})]), "{queue}",
         "Live asyncio.Queue objects, by the line that made them"),
        ("up_down_counter", "python.asyncio.queue.depth", queues(lambda q: [(q.depth, {})]), "{item}",
         "Items in the queues made at the line, in all"),
        ("gauge", "python.asyncio.queue.depth.max", queues(lambda q: [(q.max_depth, {})]), "{item}",
         "Items in the fullest queue made at the line"),
        ("gauge", "python.asyncio.queue.maxsize", queues(lambda q: [(q.maxsize, {})]), "{item}",
         "The largest maxsize of the queues made at the line (0: one is unbounded)"),
        ("up_down_counter", "python.asyncio.queue.waiters",
         queues(lambda q: [(q.getters, {"op": "get"}), (q.putters, {"op": "put"})]), "{task}",
         "Tasks waiting in get() or put() on the queues made at the line"),
        ("up_down_counter", "python.asyncio.pool.count", pools(lambda p: [(p.pools, {})]), "{pool}",
         "Open connection pools, by kind and the line that made them"),
        ("up_down_counter", "python.asyncio.pool.connection.count",
         pools(lambda p: [(p.in_use, {"state": "in_use"}), (p.idle, {"state": "idle"})]), "{connection}",
         "Connections of the pools, in use (lent, or being opened) or idle (kept open)"),
        ("up_down_counter", "python.asyncio.pool.connection.limit", pools(lambda p: [(p.limit, {})]),
         "{connection}", "The most connections the pools allow, in all (0: one has no limit)"),
        ("up_down_counter", "python.asyncio.pool.waiters", pools(lambda p: [(p.waiters, {})]), "{request}",
         "Requests waiting for a connection of the pools"),
        ("up_down_counter", "python.asyncio.resources.open", resources("open"), "{resource}",
         "Sessions, clients, pools and connections open now, by kind"),
        ("counter", "python.asyncio.resources.created", resources("created"), "{resource}",
         "Sessions, clients, pools and connections made since the doctor started, by kind"),
    ]  # fmt: skip
