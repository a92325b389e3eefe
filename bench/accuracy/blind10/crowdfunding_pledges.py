"""Community crowdfunding (Starlette): pledges are authorised on Stripe and
captured only if the project reaches its target; failed projects are refunded
by a background worker."""
import asyncio
import contextlib
import logging
import os

import asyncpg
import stripe
from redis import asyncio as aioredis
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

log = logging.getLogger("pledges")
stripe.api_key = os.environ["STRIPE_SECRET_KEY"]


async def process_refund(app: Starlette, pledge_id: int) -> None:
    pledge = await app.state.pool.fetchrow(
        "SELECT payment_intent, status FROM pledges WHERE id = $1", pledge_id
    )
    if pledge is None or pledge["status"] != "captured":
        return
    refund = await asyncio.to_thread(
        stripe.Refund.create, payment_intent=pledge["payment_intent"], reason="requested_by_customer"
    )
    await app.state.pool.execute(
        "UPDATE pledges SET status = 'refunded', refund_id = $1 WHERE id = $2", refund.id, pledge_id
    )


async def refund_worker(app: Starlette) -> None:
    redis = app.state.redis
    while True:
        try:
            item = await redis.blpop("refunds:pending", timeout=30)
            if item is None:
                continue
            await process_refund(app, int(item[1]))
        except BaseException as exc:  # bug: ADC601
            log.error("refund worker error: %r", exc)
            await asyncio.sleep(5)


async def cancel_pledge(request: Request) -> JSONResponse:
    pledge_id = int(request.path_params["pledge_id"])
    pool = request.app.state.pool
    pledge = await pool.fetchrow(
        "SELECT p.payment_intent, p.status, p.backer_id, pr.closes_at > now() AS open "
        "FROM pledges p JOIN projects pr ON pr.id = p.project_id WHERE p.id = $1",
        pledge_id,
    )
    if pledge is None or pledge["backer_id"] != int(request.headers["x-backer-id"]):
        return JSONResponse({"error": "not found"}, status_code=404)
    if not pledge["open"]:
        return JSONResponse({"error": "the campaign has closed"}, status_code=409)
    if pledge["status"] == "authorised":
        await asyncio.to_thread(stripe.PaymentIntent.cancel, pledge["payment_intent"])
    elif pledge["status"] == "captured":
        stripe.Refund.create(payment_intent=pledge["payment_intent"])  # bug: ADC101
    await pool.execute("UPDATE pledges SET status = 'cancelled' WHERE id = $1", pledge_id)
    return JSONResponse({"cancelled": pledge_id})


async def project_failed(request: Request) -> JSONResponse:
    project_id = int(request.path_params["project_id"])
    ids = await request.app.state.pool.fetch(
        "SELECT id FROM pledges WHERE project_id = $1 AND status = 'captured'", project_id
    )
    if ids:
        await request.app.state.redis.rpush("refunds:pending", *[r["id"] for r in ids])
    return JSONResponse({"queued": len(ids)})


@contextlib.asynccontextmanager
async def lifespan(app: Starlette):
    app.state.pool = await asyncpg.create_pool(os.environ["PLEDGES_DSN"])
    app.state.redis = aioredis.from_url(os.environ["REDIS_URL"])
    worker = asyncio.create_task(refund_worker(app))
    try:
        yield
    finally:
        worker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await worker
        await app.state.redis.aclose()
        await app.state.pool.close()


app = Starlette(
    routes=[
        Route("/pledges/{pledge_id:int}", cancel_pledge, methods=["DELETE"]),
        Route("/projects/{project_id:int}/failed", project_failed, methods=["POST"]),
    ],
    lifespan=lifespan,
)
