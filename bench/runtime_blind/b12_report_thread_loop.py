"""A sync application that runs its async report service on a loop in a worker thread."""
import asyncio
import threading
import time


class ReportService:
    def __init__(self):
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self._run, name="report-loop")
        self.rendered: list[str] = []

    def _run(self):
        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()

    def start(self):
        self.thread.start()

    def stop(self):
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join()
        self.loop.close()

    def submit(self, coro):
        return asyncio.run_coroutine_threadsafe(coro, self.loop)

    async def render(self, name: str, rows: int) -> str:
        await asyncio.sleep(0.01)
        if rows > 1000:
            time.sleep(0.3)  # EXPECT: blocking-call 300ms
        text = f"{name}: {rows} rows"
        self.rendered.append(text)
        return text


def main():
    service = ReportService()
    service.start()
    try:
        futures = [service.submit(service.render(name, rows)) for name, rows in [("daily", 40), ("yearly", 5000)]]
        for future in futures:
            print(future.result(timeout=5))
        print("rendered", len(service.rendered))
    finally:
        service.stop()
    print("service stopped")


if __name__ == "__main__":
    main()
