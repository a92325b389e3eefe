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

__all__ = ["AsyncdoctorCollector", "parse_address", "serve"]

#: Blocking locations exported one by one; the others are summed under ``location="other"``.
MAX_LOCATIONS = 20


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
        active = GaugeMetricFamily(
            "python_asyncio_tasks_active", "Tasks pending on the loop (counted at heartbeats)",
            labels=["loop"],
        )
        for h in health:
            if h.utilization is not None and h.utilization_method is not None:
                utilization.add_metric([h.label, h.utilization_method], h.utilization)
            bounds = [*map(_le, h.lag_bounds), "+Inf"]
            lag.add_metric([h.label], list(zip(bounds, map(float, h.lag_buckets), strict=True)), h.lag_sum)
            running.add_metric([h.label], h.run_seconds)
            if h.idle_seconds is not None:
                idle.add_metric([h.label], h.idle_seconds)
            if h.cpu_seconds is not None:
                cpu.add_metric([h.label], h.cpu_seconds)
            if h.tasks_pending is not None:
                active.add_metric([h.label], h.tasks_pending)
        yield from (utilization, lag, running, idle, cpu, active)
        created = doctor.tasks.created
        if created is not None:  # unknown (Python 3.14+) is left out, never exported as 0
            tasks = CounterMetricFamily(
                "python_asyncio_tasks_created", "Tasks created in the process since the doctor started"
            )
            tasks.add_metric([], created)
            yield tasks
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


def _le(bound: float) -> str:
    return repr(float(bound))


def serve(address: str, doctor: runtime.Doctor | None = None) -> tuple[WSGIServer, threading.Thread]:
    """Serve ``/metrics`` on ``address`` (``[HOST:]PORT``, 127.0.0.1 unless a host is given).

    The server runs in a daemon thread; it only reads figures (no request can
    change the program).  The registry holds asyncdoctor's collector alone, so
    that the program's own metrics are not served twice.
    """
    host, port = parse_address(address)
    registry = CollectorRegistry(auto_describe=False)
    registry.register(AsyncdoctorCollector(doctor))
    server, thread = start_http_server(port, addr=host, registry=registry)
    return server, thread
