import asyncio
import time

received = []


def on_message(payload):
    # sync callback doing "quick" work that actually blocks
    time.sleep(0.3)  # EXPECT: blocking-call
    received.append(payload.upper())


async def main():
    loop = asyncio.get_running_loop()
    loop.call_soon(on_message, "hello")
    await asyncio.sleep(0.5)
    print("received", received)


asyncio.run(main())
