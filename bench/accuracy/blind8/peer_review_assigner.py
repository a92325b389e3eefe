"""Assign reviewers to papers for a workshop's programme committee.

Reads papers, reviewers and conflicts from the submission system's Postgres
database, solves the assignment (Hungarian algorithm on an affinity matrix,
in a process pool) and writes the assignments plus the notification e-mails
to the outbox in one transaction. Run once by the PC chairs:

    python peer_review_assigner.py --per-paper 3
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
from concurrent.futures import ProcessPoolExecutor

import asyncpg
import numpy as np
from scipy.optimize import linear_sum_assignment


def solve(affinity: np.ndarray, conflicts: np.ndarray, per_paper: int) -> list[tuple[int, int]]:
    """Rows are paper slots (each paper repeated per_paper times), columns reviewer slots."""
    cost = -np.repeat(np.where(conflicts, -1e6, affinity), per_paper, axis=0)
    rows, cols = linear_sum_assignment(cost)
    return [(r // per_paper, c) for r, c in zip(rows, cols)]


async def load(pool: asyncpg.Pool) -> tuple[list, list, list]:
    return await asyncio.gather(
        pool.fetch("SELECT id, title, keywords FROM papers WHERE status = 'submitted' ORDER BY id"),
        pool.fetch("SELECT id, email, keywords, max_load FROM reviewers WHERE active ORDER BY id"),
        pool.fetch("SELECT paper_id, reviewer_id FROM conflicts"),
    )


def plan(papers: list[dict], reviewers: list[dict], conflicts: list[dict],
         per_paper: int) -> tuple[list[tuple[int, int]], list[int]]:
    cols = [i for i, r in enumerate(reviewers) for _ in range(r["max_load"])]
    aff = np.array([[len(set(p["keywords"]) & set(reviewers[c]["keywords"])) for c in cols] for p in papers],
                   dtype=float)
    p_idx = {p["id"]: i for i, p in enumerate(papers)}
    r_idx = {r["id"]: i for i, r in enumerate(reviewers)}
    conf = np.zeros_like(aff, dtype=bool)
    for row in conflicts:
        if row["paper_id"] in p_idx and row["reviewer_id"] in r_idx:
            conf[p_idx[row["paper_id"]], [j for j, c in enumerate(cols) if c == r_idx[row["reviewer_id"]]]] = True
    return solve(aff, conf, per_paper), cols


async def main(per_paper: int, pool_exec: ProcessPoolExecutor) -> None:
    async with asyncpg.create_pool(os.environ["SUBMISSIONS_DSN"], min_size=3, max_size=3) as pool:
        papers, reviewers, conflicts = await load(pool)
        loop = asyncio.get_running_loop()
        pairs, cols = await loop.run_in_executor(pool_exec, plan, [dict(p) for p in papers],
                                                 [dict(r) for r in reviewers], [dict(c) for c in conflicts],
                                                 per_paper)
        async with pool.acquire() as conn, conn.transaction():
            await conn.execute("DELETE FROM assignments WHERE round = 1")
            await conn.executemany(
                "INSERT INTO assignments (round, paper_id, reviewer_id) VALUES (1, $1, $2)",
                [(papers[p]["id"], reviewers[cols[c]]["id"]) for p, c in pairs])
            async for row in conn.cursor(
                    "SELECT r.email, array_agg(p.title ORDER BY p.id) AS titles FROM assignments a "
                    "JOIN reviewers r ON r.id = a.reviewer_id JOIN papers p ON p.id = a.paper_id "
                    "WHERE a.round = 1 GROUP BY r.email"):
                await conn.execute("INSERT INTO outbox (recipient, template, payload) VALUES ($1, 'assigned', $2)",
                                   row["email"], json.dumps({"titles": row["titles"]}))
    print(f"assigned {len(pairs)} reviews for {len(papers)} papers")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--per-paper", type=int, default=3)
    args = parser.parse_args()
    with ProcessPoolExecutor(max_workers=1) as executor:
        asyncio.run(main(args.per_paper, executor))
