import asyncio
import json
import logging
import os
import signal
import socket

import websockets

from . import artifacts, executor, heartbeat

log = logging.getLogger("runner.agent")

COORDINATOR = "wss://ci.example.dev/runner/v1/connect"
LABELS = ["linux", "x64", "docker"]


class Runner:
    def __init__(self, runner_id: str, token: str, store, capacity: int = 2):
        self.runner_id = runner_id
        self.token = token
        self.store = store
        self.slots = asyncio.Semaphore(capacity)
        self.jobs: dict[str, asyncio.Task] = {}
        self.accepting = True
        self.stopped = asyncio.Event()

    async def handle_job(self, ws, job: dict) -> None:
        job_id = job["id"]

        async def sink(line: str) -> None:
            await ws.send(json.dumps({"type": "log", "job": job_id, "line": line}))

        async with self.slots:
            await ws.send(json.dumps({"type": "started", "job": job_id}))
            result = await executor.run_steps(job, sink)
            urls = []
            if result.artifacts:
                urls = artifacts.upload_sync(job_id, result.artifacts)  # bug: ADC103
            if job.get("cache_key") and result.status == "success":
                await artifacts.save_cache(self.store, job["cache_key"], result.workdir)
            done = {"type": "finished", "job": job_id, "status": result.status, "artifacts": urls}
            await ws.send(json.dumps(done))

    async def drain(self) -> None:
        self.accepting = False
        log.info("draining, %d job(s) still running", len(self.jobs))
        if self.jobs:
            await asyncio.wait(list(self.jobs.values()))
        self.stopped.set()

    def _track(self, job_id: str, task: asyncio.Task) -> None:
        self.jobs[job_id] = task
        task.add_done_callback(lambda _t: self.jobs.pop(job_id, None))

    async def serve(self) -> None:
        headers = {"Authorization": f"Bearer {self.token}", "X-Runner": self.runner_id}
        async for ws in websockets.connect(COORDINATOR, additional_headers=headers):
            try:
                await ws.send(json.dumps({"type": "hello", "labels": LABELS}))
                async for raw in ws:
                    msg = json.loads(raw)
                    if msg["type"] == "job" and self.accepting:
                        job = msg["job"]
                        self._track(job["id"], asyncio.create_task(self.handle_job(ws, job)))
                    elif msg["type"] == "cancel" and msg["job"] in self.jobs:
                        self.jobs[msg["job"]].cancel()
            except websockets.ConnectionClosed:
                log.warning("coordinator went away, reconnecting")
                continue


async def main() -> None:
    token = os.environ["RUNNER_TOKEN"]
    runner_id = await heartbeat.register(token, socket.gethostname(), LABELS)
    capacity = int(os.environ.get("RUNNER_CAPACITY", "2"))
    async with artifacts.store_client() as store:
        runner = Runner(runner_id, token, store, capacity=capacity)
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGTERM, runner.drain)  # bug: ADC202
        loop.add_signal_handler(signal.SIGINT, runner.stopped.set)
        beat = asyncio.create_task(heartbeat.beat(runner_id, token, runner.stopped))
        serving = asyncio.create_task(runner.serve())
        await runner.stopped.wait()
        serving.cancel()
        await asyncio.gather(beat, serving, return_exceptions=True)


if __name__ == "__main__":
    asyncio.run(main())
