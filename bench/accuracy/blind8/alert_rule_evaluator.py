"""A small alerting daemon for teams that run Prometheus without Grafana.

Rules live in rules.yaml (PromQL expression, threshold, `for` duration).
Every five minutes the daemon evaluates all rules against Prometheus,
keeps pending/firing state in memory and posts changes to a webhook.
"""
from __future__ import annotations

import asyncio
import logging
import os
import sys
import time
from dataclasses import dataclass, field

import httpx
import yaml

log = logging.getLogger("alerts")
PROMETHEUS = os.environ.get("PROMETHEUS_URL", "http://prometheus:9090")
WEBHOOK = os.environ.get("ALERT_WEBHOOK", "https://chat.example/hooks/alerts")
CYCLE = 300
QUERY_CONCURRENCY = 6


@dataclass
class Rule:
    name: str
    expr: str
    above: float
    for_s: int
    pending_since: float | None = None
    firing: bool = False
    labels: dict = field(default_factory=dict)


async def evaluate(client: httpx.AsyncClient, sem: asyncio.Semaphore, rule: Rule) -> float | None:
    async with sem:
        try:
            async with asyncio.timeout(20):
                resp = await client.get(f"{PROMETHEUS}/api/v1/query", params={"query": rule.expr})
            resp.raise_for_status()
        except asyncio.CancelledError:
            log.info("evaluation of %s cancelled", rule.name)
            raise
        except (httpx.HTTPError, TimeoutError) as exc:
            log.warning("rule %s: %s", rule.name, exc)
            return None
    result = resp.json()["data"]["result"]
    return max((float(r["value"][1]) for r in result), default=None)


def transition(rule: Rule, value: float | None, now: float) -> str | None:
    breaching = value is not None and value > rule.above
    if breaching and rule.pending_since is None:
        rule.pending_since = now
    if not breaching:
        rule.pending_since = None
        if rule.firing:
            rule.firing = False
            return "resolved"
        return None
    if not rule.firing and now - rule.pending_since >= rule.for_s:
        rule.firing = True
        return "firing"
    return None


async def notify(client: httpx.AsyncClient, rule: Rule, state: str, value: float | None) -> None:
    resp = await client.post(WEBHOOK, json={"text": f"[{state.upper()}] {rule.name}: {value} (> {rule.above})"})
    resp.raise_for_status()


async def run(rules: list[Rule]) -> None:
    sem = asyncio.Semaphore(QUERY_CONCURRENCY)
    notifications: set[asyncio.Task] = set()
    while True:
        started = time.monotonic()
        # one short-lived client per cycle: cycles are five minutes apart
        async with httpx.AsyncClient(timeout=30) as client:
            values = await asyncio.gather(*(evaluate(client, sem, r) for r in rules))
            for rule, value in zip(rules, values):
                state = transition(rule, value, time.time())
                if state is not None:
                    task = asyncio.create_task(notify(client, rule, state, value))
                    notifications.add(task)
                    task.add_done_callback(notifications.discard)
            if notifications:
                await asyncio.wait(notifications)
        await asyncio.sleep(max(0.0, CYCLE - (time.monotonic() - started)))


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    with open(sys.argv[1] if len(sys.argv) > 1 else "rules.yaml") as fh:
        loaded = [Rule(**r) for r in yaml.safe_load(fh)["rules"]]
    asyncio.run(run(loaded))
