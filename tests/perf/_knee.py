"""What a tuner may recommend for a real service whose knee is set by design.

A service with ``workers`` slots, each held ``service`` seconds (a ``LoopbackServer`` with
``workers=N, service_time=s``, a query that takes one of K locks for ``s`` seconds), has its
knee at ``workers`` by design, whatever the machine: the slots are sleeps, not CPU.  What
the machine changes is the overhead each call pays outside the slot (the client, the
network, waiting for a CPU on a busy machine): while a caller pays it, its slot is idle,
so keeping every slot busy takes ``workers * (service + overhead) / service`` callers.

Up to the knee nothing queues, so the overhead is measured: it is what a call's median
latency at those levels adds to the service time.  A recommendation is right when it is
within 20% below the knee and 20% above the concurrency that this overhead calls for: on
an idle machine that is the plain "within 20% of N"; on a loaded one the upper side widens
by exactly what was measured, no more.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest


def knee_bounds(
    levels: Mapping[int, Mapping[str, Any]], workers: int, service: float
) -> tuple[float, float]:
    """The range a recommendation must fall in, from the levels of a ``--json`` report."""
    below = [row["p50_ms"] for level, row in levels.items() if level <= workers]
    slowdown = max(1.0, max(below) / (service * 1000)) if below else 1.0
    return 0.8 * workers, 1.2 * workers * slowdown


def check_the_recommendation(
    report: Mapping[str, Any], workers: int, service: float, output: str
) -> None:
    """The recommendation of a ``--json`` report is within :func:`knee_bounds`; on failure
    the whole report the command printed is shown (an assertion would cut it short)."""
    levels = {row["level"]: row for row in report["levels"]}
    low, high = knee_bounds(levels, workers, service)
    recommended = report["recommended"]
    if recommended is None or not low <= recommended <= high:
        pytest.fail(f"recommended {recommended}, not in [{low:.1f}, {high:.1f}]:\n{output}")


def check_the_knee_is_real(
    levels: Mapping[int, Mapping[str, Any]], workers: int, service: float
) -> None:
    """Past the knee, by design: no more than the capacity, and calls wait in line.

    ``workers`` slots of ``service`` seconds serve at most ``workers / service`` calls per
    second, whatever the machine: in a window of a few calls per slot, give or take one
    call per slot (where the window's ends fall in each slot's calls).  And ``level`` callers keep ``level - workers`` calls
    waiting for a slot, each for about ``(level - workers) / workers`` service times on
    average (Little's law, whatever order the slots are given in: a service that is not
    first come, first served, as PostgreSQL's locks, lets some calls through at once and
    keeps others waiting long, so the median may not move at all): fewer when the client
    is slow to send its next call, so only a quarter of that is asked for on top of the
    mean latency measured without queueing.
    """
    top = max(levels)
    row = levels[top]
    unqueued = max(r["mean_ms"] for level, r in levels.items() if level <= workers)
    queueing = (top - workers) / workers * service * 1000
    problems = [
        f"the highest level, {top}, is below {1.6 * workers:g}" if top < 1.6 * workers else "",
        f"{row['throughput']:.1f} calls/s at {top}, above the capacity"
        if row["throughput"] > 1.05 * workers / service + workers / row["duration_s"]
        else "",
        f"no queueing at {top}: mean {row['mean_ms']:.1f} ms, {unqueued:.1f} ms at the knee"
        if row["mean_ms"] < unqueued + 0.25 * queueing
        else "",
    ]
    if any(problems):
        pytest.fail("; ".join(p for p in problems if p) + f"\n{dict(levels)}")
