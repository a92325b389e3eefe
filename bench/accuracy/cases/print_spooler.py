"""Print spooler: a thread talks to the printer, asyncio serves the web UI."""

import asyncio
import logging
import queue
import threading
import time

log = logging.getLogger(__name__)


class PrinterThread(threading.Thread):
    def __init__(self, device):
        super().__init__(daemon=True)
        self.device = device
        self.jobs = queue.Queue()
        self.lock = threading.Lock()
        self.done = threading.Event()

    def submit(self, job):
        self.jobs.put(job)

    def run(self):
        while not self.done.is_set():
            try:
                job = self.jobs.get(timeout=1)
            except queue.Empty:
                continue
            with self.lock:
                self.device.write(job["data"])
                time.sleep(job.get("pause", 0.5))
            self.jobs.task_done()


class Spooler:
    def __init__(self, printer: PrinterThread):
        self.printer = printer
        self.events = asyncio.Queue()

    async def enqueue(self, job):
        await asyncio.to_thread(self.printer.submit, job)
        self.events.put_nowait({"type": "queued", "name": job["name"]})

    async def next_event(self):
        return await self.events.get()

    async def wait_idle(self):
        await asyncio.to_thread(self.printer.jobs.join)
