import asyncio
from helper_settings import load_settings


async def handle(request_id):
    settings = load_settings()
    return request_id, settings["pool"]


async def main():
    results = await asyncio.gather(handle(1), asyncio.sleep(0.01, "x"))
    print("handled", results[0])


asyncio.run(main())
