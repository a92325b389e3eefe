"""taskiq worker: `taskiq worker helpdesk_router.worker:broker`."""
import os

import aiohttp
from taskiq_redis import ListQueueBroker

from . import classify
from .zendesk import Zendesk

broker = ListQueueBroker(os.environ.get("REDIS_URL", "redis://localhost:6379/3"))
AUTH = aiohttp.BasicAuth(os.environ.get("ZENDESK_EMAIL", "") + "/token", os.environ.get("ZENDESK_TOKEN", ""))

# Fallback groups for urgent tickets, least busy wins.
URGENT_GROUPS = [360010, 360011, 360012, 360013]


@broker.task(retry_on_error=True, max_retries=3)
async def route_ticket(ticket_id: int) -> dict:
    async with aiohttp.ClientSession(auth=AUTH) as session:  # bug: ADC402
        zd = Zendesk(session)
        ticket = await zd.get_ticket(ticket_id)
        verdict = classify.classify(ticket["subject"], ticket["description"])  # bug: ADC101
        group_id = classify.QUEUES.get(verdict["queue"], classify.QUEUES["tech"])
        if verdict.get("urgent"):
            backlog = {}
            for candidate in URGENT_GROUPS:
                backlog[candidate] = await zd.group_backlog(candidate)  # bug: ADC501
            group_id = min(backlog, key=backlog.get)
        await zd.assign(ticket_id, group_id, verdict.get("tags", [])[:5])
    return {"ticket": ticket_id, "group": group_id}


@broker.task
async def backfill(start_time: int) -> int:
    """Re-queue every unassigned ticket since start_time (one session for the run)."""
    queued = 0
    async with aiohttp.ClientSession(auth=AUTH) as session:
        async for ticket in Zendesk(session).incremental_tickets(start_time):
            if ticket["group_id"] is None and ticket["status"] == "new":
                await route_ticket.kiq(ticket["id"])
                queued += 1
    return queued
