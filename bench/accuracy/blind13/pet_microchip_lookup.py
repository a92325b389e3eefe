"""Microchip lookup service for vets and shelters (PetTrace registry).

A scanned chip number is looked up in our own registry first. Chips can be
registered with several of the partner registries at once, so when we do
not hold the chip, every partner is asked and all answers are shown.
"""
import logging
import os
import re

import aiohttp
import asyncpg
from aiohttp import web

log = logging.getLogger("pettrace")
PARTNERS = {
    "animalbase": "https://api.animalbase.example/v1/chips",
    "petlog": "https://lookup.petlog-like.example/api/chip",
    "identibase": "https://identibase.example/public/chip",
    "anibase": "https://anibase-network.example/v2/lookup",
}
CHIP = re.compile(r"^\d{15}$")


async def query_partner(session: aiohttp.ClientSession, name: str, url: str, chip: str) -> dict | None:
    try:
        async with session.get(url, params={"chip": chip}, timeout=aiohttp.ClientTimeout(total=4)) as resp:
            if resp.status == 404:
                return None
            resp.raise_for_status()
            data = await resp.json()
    except (aiohttp.ClientError, TimeoutError):
        log.warning("partner %s did not answer for %s", name, chip)
        return None
    return {"registry": name, "contact_url": data.get("contact_url"), "registered": data.get("registered")}


async def lookup(request: web.Request) -> web.Response:
    chip = request.match_info["chip"]
    if not CHIP.match(chip):
        raise web.HTTPBadRequest(text="chip numbers are 15 digits")
    row = await request.app["db"].fetchrow(
        "SELECT p.name, p.species, o.phone_masked, p.lost FROM pets p JOIN owners o ON o.id = p.owner_id"
        " WHERE p.chip = $1",
        chip,
    )
    if row is not None:
        return web.json_response({"registry": "pettrace", **dict(row)})
    hits = []
    for name, url in PARTNERS.items():
        hit = await query_partner(request.app["partners_http"], name, url, chip)  # bug: ADC501
        if hit is not None:
            hits.append(hit)
    await request.app["db"].execute(
        "INSERT INTO lookups (chip, clinic, found_elsewhere) VALUES ($1, $2, $3)",
        chip, request.headers.get("X-Clinic-Id"), len(hits),
    )
    return web.json_response({"registry": None, "partners": hits})


async def report_found(request: web.Request) -> web.Response:
    body = await request.json()
    db: asyncpg.Pool = request.app["db"]
    async with db.acquire() as conn, conn.transaction():
        pet = await conn.fetchrow("SELECT id, owner_id FROM pets WHERE chip = $1 FOR UPDATE", body["chip"])
        if pet is None:
            raise web.HTTPNotFound(text="chip not in the PetTrace registry")
        report_id = await conn.fetchval(
            "INSERT INTO found_reports (pet_id, clinic, note) VALUES ($1, $2, $3) RETURNING id",
            pet["id"], body["clinic"], body.get("note", ""),
        )
        await conn.execute("UPDATE pets SET lost = false WHERE id = $1", pet["id"])
    owner = await db.fetchrow("SELECT email FROM owners WHERE id = $1", pet["owner_id"])
    if owner and owner["email"]:
        mail = {"to": owner["email"], "template": "pet-found", "vars": {"clinic": body["clinic"]}}
        async with request.app["partners_http"].post(os.environ["MAILER_URL"], json=mail) as resp:
            resp.raise_for_status()
    return web.json_response({"report": report_id}, status=201)


async def on_startup(app: web.Application) -> None:
    app["db"] = await asyncpg.create_pool(os.environ["PETTRACE_DSN"], max_size=12)
    app["partners_http"] = aiohttp.ClientSession(headers={"User-Agent": "PetTrace/3.2"})  # bug: ADC401


async def on_cleanup(app: web.Application) -> None:
    await app["db"].close()


def make_app() -> web.Application:
    app = web.Application()
    app.on_startup.append(on_startup)
    app.on_cleanup.append(on_cleanup)
    app.router.add_get("/chips/{chip}", lookup)
    app.router.add_post("/found", report_found)
    return app


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    web.run_app(make_app(), port=8081)
