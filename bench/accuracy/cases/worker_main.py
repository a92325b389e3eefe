import asyncio
import logging
import signal

from worker.consumer import Consumer

log = logging.getLogger("worker")

shutdown_requested = False


def _request_shutdown(*_):
    global shutdown_requested
    shutdown_requested = True


async def main():
    consumer = Consumer.from_env()
    runner = asyncio.create_task(consumer.run())
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, _request_shutdown)
    loop.add_signal_handler(signal.SIGINT, _request_shutdown)

    while not shutdown_requested:  # bug: ADC503
        await asyncio.sleep(1)

    log.info("shutting down")
    runner.cancel()
    try:
        await runner
    except asyncio.CancelledError:
        pass
    await consumer.close()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(main())
