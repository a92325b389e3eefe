"""Listens for the shot-firer's "blast fired" messages and files the readings."""
from __future__ import annotations

import asyncio
import json
import logging
import os
from datetime import datetime

import aiohttp
import aiomqtt
import asyncpg

from . import blasts

log = logging.getLogger(__name__)


async def alert_neighbours_liaison(session: aiohttp.ClientSession, places: list[str]) -> None:
    text = "PPV limit exceeded at " + ", ".join(places)
    async with session.post(os.environ["LIAISON_WEBHOOK"], json={"text": text}) as resp:
        resp.raise_for_status()


async def run() -> None:
    pool = await asyncpg.create_pool(os.environ["QUARRY_DSN"])
    try:
        async with aiohttp.ClientSession() as session, aiomqtt.Client("broker.hollins.lan") as mqtt:
            await mqtt.subscribe("quarry/hollins/blast")
            async for message in mqtt.messages:
                body = json.loads(message.payload)
                try:
                    fired_at = datetime.fromisoformat(body["fired_at"])
                    await asyncio.sleep(240)  # units upload a few minutes after triggering
                    exceed = await blasts.after_blast(pool, session, body["blast_id"], fired_at)
                    if exceed:
                        await alert_neighbours_liaison(session, exceed)
                except BaseException:  # bug: ADC601
                    log.exception("blast %s not filed", body.get("blast_id"))
    finally:
        await pool.close()
