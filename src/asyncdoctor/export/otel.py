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

    def tasks_active(self, _options: CallbackOptions) -> Iterable[Observation]:
        for h in self.health():
            if h.tasks_pending is not None:
                yield Observation(h.tasks_pending, {"loop": h.label})

    def tasks_created(self, _options: CallbackOptions) -> Iterable[Observation]:
        doctor = self.doctor()
        created = doctor.tasks.created if doctor is not None else None
        if created is not None:  # unknown (3.14+) is left out, never 0
            yield Observation(created)

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
        ("up_down_counter", "python.asyncio.tasks.active", source.tasks_active, "{task}",
         "Tasks pending on the loop, counted at heartbeats"),
        ("counter", "python.asyncio.tasks.created", source.tasks_created, "{task}",
         "Tasks created in the process since the doctor started"),
        ("counter", "python.asyncio.blocking.count", source.blocking("count"), "{event}",
         "Steps that blocked the event loop longer than the threshold, by line"),
        ("counter", "python.asyncio.blocking.time", source.blocking("seconds"), "s",
         "Time the event loop was blocked, by line"),
    ]  # fmt: skip
    for kind, name, callback, unit, description in table:
        create = getattr(meter, f"create_observable_{kind}")
        create(name, [callback], unit=unit, description=description)
    return meter
