"""Minimal cron-like daemon for async jobs declared with @every."""
import asyncio
import datetime as dt
import importlib
import logging
import signal
import sys
import time

log = logging.getLogger("crond")

JOBS = []


def every(minutes):
    def register(fn):
        JOBS.append({"fn": fn, "minutes": minutes, "next": 0.0, "name": fn.__qualname__})
        return fn

    return register


class Daemon:
    def __init__(self, modules, tick=5.0):
        self.modules = modules
        self.tick = tick
        self.running = True
        self.history = []

    async def shutdown(self, signum, frame):
        log.info("signal %s received, finishing current tick", signum)
        self.running = False
        await asyncio.sleep(0)

    def load(self):
        for name in self.modules:
            importlib.import_module(name)
        log.info("loaded %d jobs from %s", len(JOBS), ", ".join(self.modules))

    def run_due(self, now):
        for job in JOBS:
            if job["next"] > now:
                continue
            started = time.monotonic()
            try:
                asyncio.run(job["fn"]())  # bug: ADC505
                status = "ok"
            except Exception:
                log.exception("job %s failed", job["name"])
                status = "failed"
            job["next"] = now + job["minutes"] * 60
            self.history.append((dt.datetime.now(), job["name"], status, time.monotonic() - started))

    def serve(self):
        self.load()
        signal.signal(signal.SIGTERM, self.shutdown)  # bug: ADC202
        signal.signal(signal.SIGINT, lambda signum, frame: setattr(self, "running", False))
        while self.running:
            self.run_due(time.time())
            time.sleep(self.tick)
        log.info("bye after %d job runs", len(self.history))


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    Daemon(sys.argv[1:]).serve()
