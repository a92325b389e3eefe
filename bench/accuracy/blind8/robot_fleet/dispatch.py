"""Waves of picks: plan, persist, hand the routes to the robots' outboxes."""
from __future__ import annotations

import logging

import asyncpg

from . import planner

log = logging.getLogger(__name__)


async def plan_wave(db: asyncpg.Pool, fleet) -> int:
    picks = [dict(r) for r in await db.fetch(
        "SELECT id, aisle, bay, level FROM picks WHERE state = 'open' ORDER BY due LIMIT 200")]
    robots = fleet.idle_robots()
    if not picks or not robots:
        return 0
    plan = planner.solve_wave(robots, picks, fleet.distance)  # bug: ADC101
    async with db.acquire() as conn, conn.transaction():
        for robot_id, pick_ids in plan.items():
            await conn.execute("UPDATE picks SET robot = $1, state = 'assigned' WHERE id = ANY($2)",
                               robot_id, pick_ids)
    for robot_id, pick_ids in plan.items():
        fleet.outbox[robot_id].put_nowait({"type": "route", "picks": pick_ids})
    return len(picks)


async def reassign_orphans(db: asyncpg.Pool, robot_id: str) -> None:
    n = await db.execute(
        "UPDATE picks SET robot = NULL, state = 'open' WHERE robot = $1 AND state = 'assigned'", robot_id)
    log.warning("robot %s lost: %s picks back in the pool", robot_id, n)
