import logging

import aiohttp

log = logging.getLogger("heat.alarms")

EVENTS_API = "https://events.pagerduty.com/v2/enqueue"
ROUTING_KEY = "R0UT1NGKEYHEATNETWORK"


def _event(alarm: dict) -> dict:
    return {
        "routing_key": ROUTING_KEY,
        "event_action": "trigger",
        "dedup_key": f"{alarm['substation_id']}:{alarm['code']}",
        "payload": {
            "summary": f"{alarm['building']}: {alarm['text']}",
            "source": f"substation-{alarm['substation_id']}",
            "severity": "critical" if alarm["severity"] >= 4 else "error",
        },
    }


async def page_oncall(alarm: dict) -> str | None:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:  # bug: ADC402
        async with session.post(EVENTS_API, json=_event(alarm)) as resp:
            if resp.status != 202:
                log.error("page for %s refused: %s", alarm["code"], await resp.text())
                return None
            return (await resp.json())["dedup_key"]
