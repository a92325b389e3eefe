import asyncio
import threading


async def job():
    t = asyncio.create_task(asyncio.sleep(0.02))
    await t
    return "thread ok"


results = []
threads = [threading.Thread(target=lambda: results.append(asyncio.run(job()))) for _ in range(3)]
for th in threads:
    th.start()
for th in threads:
    th.join()
print(results)
