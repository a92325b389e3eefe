from asyncio import CancelledError, Queue
import logging

log = logging.getLogger(__name__)


async def read_ticks(ws, out: Queue) -> int:
    """Reads market ticks from a websocket into a queue until cancelled."""
    count = 0
    while True:
        try:
            tick = await ws.receive_json()
        except CancelledError:  # bug: ADC601
            log.info("tick reader cancelled after %d ticks", count)
            break
        except ValueError:
            log.warning("bad tick frame, skipping")
            continue
        await out.put(tick)
        count += 1
    return count
