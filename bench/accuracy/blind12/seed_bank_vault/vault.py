"""Client of the retrieval robot in the -20 C vault.

The robot has one arm: it opens a drawer, picks the accession's foil bag,
weighs out a sample into a vial and closes the drawer. It accepts one
retrieval at a time and returns 409 for a second one.
"""
import asyncio

import httpx

ROBOT_URL = "http://vault-robot.seedbank.internal"


async def wait_arm_idle(robot: httpx.AsyncClient) -> None:
    async with asyncio.timeout(180):
        while True:
            status = (await robot.get("/status")).json()
            if status["arm"] == "idle":
                return
            await asyncio.sleep(1)


async def fetch_sample(robot: httpx.AsyncClient, accession: str, drawer: str, grams: float) -> str:
    arm = asyncio.Semaphore(1)  # bug: ADC504
    async with arm:
        resp = await robot.post("/drawers/open", json={"drawer": drawer})
        resp.raise_for_status()
        await wait_arm_idle(robot)
        pick = await robot.post("/pick", json={"accession": accession, "grams": grams})
        pick.raise_for_status()
        await wait_arm_idle(robot)
        close = await robot.post("/drawers/close", json={"drawer": drawer})
        close.raise_for_status()
        return pick.json()["vial_id"]
