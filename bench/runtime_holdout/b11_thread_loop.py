import asyncio
import threading
import time


def checksum_file(name):
    time.sleep(0.3)  # EXPECT: blocking-call
    return len(name)


async def worker_main():
    await asyncio.sleep(0.01)
    return checksum_file("report.csv")


def worker():
    result = asyncio.run(worker_main())
    print("worker result", result)


t = threading.Thread(target=worker, name="bg-loop")
t.start()
t.join()
print("done")
