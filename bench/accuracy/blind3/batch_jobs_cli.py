#!/usr/bin/env python3
"""Run export jobs listed in a YAML file: `batch-jobs jobs.yaml`."""
import asyncio
import logging
import sys
import time

import aiohttp
import yaml

log = logging.getLogger("batch_jobs")

WEBHOOK = "https://hooks.internal/exports"


async def post_webhook(payload):
    async with aiohttp.ClientSession() as session:
        async with session.post(WEBHOOK, json=payload, timeout=aiohttp.ClientTimeout(total=10)) as resp:
            return resp.status


def notify(job_name, ok, seconds):
    status = asyncio.run(post_webhook({"job": job_name, "ok": ok, "seconds": round(seconds, 1)}))
    if status >= 400:
        log.warning("webhook for %s answered %s", job_name, status)


async def run_export(job):
    started = time.monotonic()
    url = job["source"]
    ok = False
    async with aiohttp.ClientSession(headers={"Authorization": f"Token {job['token']}"}) as session:
        async with session.post(f"{url}/exports", json={"format": job.get("format", "csv")}) as resp:
            ok = resp.status == 202
    notify(job["name"], ok, time.monotonic() - started)  # bug: ADC103
    return ok


def main(path):
    logging.basicConfig(level=logging.INFO)
    with open(path) as fh:
        jobs = yaml.safe_load(fh)["jobs"]
    failures = 0
    for job in jobs:
        if not asyncio.run(run_export(job)):  # bug: ADC505
            failures += 1
    log.info("%d/%d exports started", len(jobs) - failures, len(jobs))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
