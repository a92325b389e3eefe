"""Timetable solver service for a multi-academy trust, plus a nightly CLI."""
from __future__ import annotations

import argparse
import asyncio
import itertools
from concurrent.futures import ProcessPoolExecutor

import httpx
import pulp
from fastapi import FastAPI
from pydantic import BaseModel

MIS_API = "https://mis.trust.example/api"
app = FastAPI()
_pool = ProcessPoolExecutor(max_workers=2)


class Problem(BaseModel):
    school: str
    lessons: list[dict]  # {"id", "teacher", "group", "room_kind"}
    periods: list[str]
    rooms: dict[str, str]  # room -> kind


def build_model(p: Problem) -> tuple[pulp.LpProblem, dict]:
    prob = pulp.LpProblem(f"tt_{p.school}", pulp.LpMinimize)
    x = {
        (l["id"], t, r): pulp.LpVariable(f"x_{l['id']}_{t}_{r}", cat="Binary")
        for l in p.lessons
        for t in p.periods
        for r, kind in p.rooms.items()
        if kind == l["room_kind"]
    }
    prob += pulp.lpSum(x.values())
    for l in p.lessons:
        prob += pulp.lpSum(v for (lid, _, _), v in x.items() if lid == l["id"]) == 1
    for t, r in itertools.product(p.periods, p.rooms):
        prob += pulp.lpSum(v for (_, tt, rr), v in x.items() if tt == t and rr == r) <= 1
    return prob, x


def solve(p: Problem, seconds: int) -> dict[str, tuple[str, str]]:
    prob, x = build_model(p)
    prob.solve(pulp.PULP_CBC_CMD(msg=False, timeLimit=seconds))
    return {lid: (t, r) for (lid, t, r), v in x.items() if v.value() == 1}


@app.post("/solve")
async def solve_full(problem: Problem) -> dict:
    loop = asyncio.get_running_loop()
    placement = await loop.run_in_executor(_pool, solve, problem, 120)
    return {"school": problem.school, "placed": len(placement), "placement": placement}


@app.post("/repair")
async def repair(problem: Problem) -> dict:
    """Re-place a handful of lessons after a teacher absence."""
    placement = solve(problem, 10)  # bug: ADC101
    return {"school": problem.school, "placement": placement}


async def sync_school(school: str) -> int:
    async with httpx.AsyncClient(base_url=MIS_API, timeout=60) as client:
        resp = await client.get(f"/schools/{school}/curriculum")
        resp.raise_for_status()
        problem = Problem(**resp.json())
        loop = asyncio.get_running_loop()
        placement = await loop.run_in_executor(_pool, solve, problem, 300)
        # publish only after the solve: the MIS needs the full placement
        put = await client.put(f"/schools/{school}/timetable", json=placement)
        put.raise_for_status()
        return len(placement)


def main() -> None:
    ap = argparse.ArgumentParser(description="nightly timetable rebuild")
    ap.add_argument("schools", nargs="+")
    args = ap.parse_args()
    for school in args.schools:
        placed = asyncio.run(sync_school(school))  # bug: ADC505
        print(f"{school}: {placed} lessons placed")


if __name__ == "__main__":
    main()
