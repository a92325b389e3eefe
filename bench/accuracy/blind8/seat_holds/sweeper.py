"""Every 15 s, free the seats whose hold expired and tell the seat maps."""
from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import defaultdict

log = logging.getLogger(__name__)


async def sweep_forever(store, interval: float = 15.0) -> None:
    while True:
        expired = await store.collect_expired(time.time())
        if expired:
            freed: defaultdict[str, list[str]] = defaultdict(list)
            for event_id, seat in expired:
                freed[event_id].append(seat)
            await store.r.publish("seatmap", json.dumps({"type": "freed", "seats": freed}))
            log.info("freed %d holds", len(expired))
        await asyncio.sleep(interval)


async def warm_seatmaps(store, event_ids: list[str]) -> None:
    """Publish a full refresh once at start-up so that open seat maps resync."""
    await store.r.publish("seatmap", json.dumps({"type": "resync", "events": event_ids}))
