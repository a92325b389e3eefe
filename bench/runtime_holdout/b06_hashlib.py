import asyncio
import hashlib


async def receive_upload():
    await asyncio.sleep(0.01)
    return bytes(300 * 1024 * 1024)


async def store_upload():
    blob = await receive_upload()
    digest = hashlib.sha256(blob).hexdigest()  # EXPECT: blocking-call
    return digest[:8]


async def main():
    print("stored", await store_upload())


asyncio.run(main())
