"""Costume hire catalogue for a regional theatre's wardrobe department.

Amateur companies and schools browse the stock (about 14,000 garments),
put costumes on hold for a fitting and hire them for a run. Catalogue
descriptions are drafted by a language model from the wardrobe notes and
checked by the supervisor; search uses embeddings of those descriptions.
"""
import asyncio
import atexit
import logging
import os
from contextlib import asynccontextmanager

import asyncpg
from fastapi import FastAPI, HTTPException, Request
from openai import OpenAI

log = logging.getLogger("wardrobe")

DB_DSN = os.environ.get("WARDROBE_DSN", "postgresql://wardrobe@localhost/costumes")
MODEL = "gpt-4o-mini"
EMBEDDINGS = "text-embedding-3-small"


class Catalogue:
    def __init__(self, pool: asyncpg.Pool, llm: OpenAI) -> None:
        self.pool = pool
        self.llm = llm
        self.holds: set[int] = set()

    async def describe(self, costume_id: int) -> str:
        row = await self.pool.fetchrow(
            "SELECT period, garment, size, colour, notes FROM costumes WHERE id = $1", costume_id
        )
        if row is None:
            raise KeyError(costume_id)
        prompt = (
            "Write a two-sentence catalogue entry for a theatre costume. "
            f"Period: {row['period']}. Garment: {row['garment']}. Size: {row['size']}. "
            f"Colour: {row['colour']}. Wardrobe notes: {row['notes']}"
        )
        completion = self.llm.chat.completions.create(  # bug: ADC101
            model=MODEL, messages=[{"role": "user", "content": prompt}], max_tokens=120
        )
        text = completion.choices[0].message.content.strip()
        await self.pool.execute(
            "UPDATE costumes SET draft_description = $2, draft_at = now() WHERE id = $1", costume_id, text
        )
        return text

    async def search(self, query: str, limit: int = 20) -> list[dict]:
        result = await asyncio.to_thread(self.llm.embeddings.create, model=EMBEDDINGS, input=query)
        vector = result.data[0].embedding
        rows = await self.pool.fetch(
            "SELECT id, garment, period, size FROM costumes ORDER BY embedding <-> $1::vector LIMIT $2",
            str(vector), limit,
        )
        return [dict(r) for r in rows]

    async def hold(self, costume_id: int, company: str) -> bool:
        status = await self.pool.execute(
            "UPDATE costumes SET held_by = $2, held_until = now() + interval '3 days'"
            " WHERE id = $1 AND held_by IS NULL",
            costume_id, company,
        )
        if status.endswith(" 1"):
            self.holds.add(costume_id)
            return True
        return False

    async def release_holds(self) -> None:
        if self.holds:
            await self.pool.execute(
                "UPDATE costumes SET held_by = NULL, held_until = NULL WHERE id = ANY($1)", list(self.holds)
            )
            self.holds.clear()


@asynccontextmanager
async def lifespan(app: FastAPI):
    pool = await asyncpg.create_pool(DB_DSN, max_size=8)
    catalogue = Catalogue(pool, OpenAI())
    app.state.catalogue = catalogue
    atexit.register(catalogue.release_holds)  # bug: ADC202
    try:
        yield
    finally:
        await pool.close()


app = FastAPI(lifespan=lifespan)


@app.post("/costumes/{costume_id}/describe")
async def describe(costume_id: int, request: Request) -> dict:
    try:
        text = await request.app.state.catalogue.describe(costume_id)
    except KeyError:
        raise HTTPException(404, "no such costume") from None
    return {"id": costume_id, "draft": text}


@app.get("/search")
async def search(q: str, request: Request) -> list[dict]:
    return await request.app.state.catalogue.search(q)


@app.post("/costumes/{costume_id}/hold")
async def hold(costume_id: int, company: str, request: Request) -> dict:
    if not await request.app.state.catalogue.hold(costume_id, company):
        raise HTTPException(409, "already on hold")
    return {"id": costume_id, "held_for": company}
