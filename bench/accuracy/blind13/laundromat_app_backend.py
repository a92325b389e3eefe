"""Backend of the SpinCycle laundromat app (aiohttp.web).

Customers pay for a wash or dry in the app; the machine is started through
the machine maker's cloud, and the customer gets a push when the cycle ends.
"""
import asyncio
import logging
import os

import aiohttp
from aiohttp import web

log = logging.getLogger("spincycle")
MAKER = "https://cloud.washtronic.example/api/v2"
PAYMENTS = "https://api.payments.example/v1"
PUSH = "https://push.spincycle.example/send"


async def maker(session: aiohttp.ClientSession, method: str, path: str, **kw) -> dict:
    headers = {"X-Api-Key": os.environ["WASHTRONIC_KEY"]}
    async with session.request(method, f"{MAKER}{path}", headers=headers, **kw) as resp:
        resp.raise_for_status()
        return await resp.json()


async def payments(session: aiohttp.ClientSession, path: str, body: dict) -> dict:
    auth = aiohttp.BasicAuth(os.environ["PAY_KEY"], "")
    async with session.post(f"{PAYMENTS}{path}", json=body, auth=auth) as resp:
        resp.raise_for_status()
        return await resp.json()


async def loyalty_points(session: aiohttp.ClientSession, customer: str) -> int:
    async with session.get(f"https://loyalty.spincycle.example/customers/{customer}") as resp:
        resp.raise_for_status()
        return (await resp.json())["points"]


async def watch_cycle(app: web.Application, machine: str, customer: str) -> None:
    session = app["http"]
    try:
        async with asyncio.timeout(3 * 3600):
            while (status := await maker(session, "GET", f"/machines/{machine}"))["state"] == "running":
                await asyncio.sleep(max(30, min(300, status.get("minutes_left", 5) * 30)))
        async with session.post(PUSH, json={"customer": customer, "text": f"Machine {machine} is done."}) as resp:
            resp.raise_for_status()
    except asyncio.CancelledError:
        log.info("stopped watching %s", machine)
        raise
    except TimeoutError:
        log.error("machine %s never finished", machine)


def track(app: web.Application, machine: str, customer: str) -> None:
    task = asyncio.create_task(watch_cycle(app, machine, customer))
    app["watchers"][machine] = task

    def forget(done: asyncio.Task) -> None:
        if app["watchers"].get(machine) is done:
            del app["watchers"][machine]

    task.add_done_callback(forget)


async def start_machine(request: web.Request) -> web.Response:
    session: aiohttp.ClientSession = request.app["http"]
    machine = request.match_info["machine"]
    body = await request.json()
    points = asyncio.create_task(loyalty_points(session, body["customer"]))
    try:
        info, prices = await asyncio.gather(
            maker(session, "GET", f"/machines/{machine}"), maker(session, "GET", f"/machines/{machine}/prices")
        )
        if info["state"] != "idle":
            raise web.HTTPConflict(text="machine is busy")
        price = prices[body["programme"]]
        payment = await payments(session, "/captures", {"token": body["payment_token"], "amount": price})
        try:
            await maker(session, "POST", f"/machines/{machine}/start", json={"programme": body["programme"]})
        except aiohttp.ClientError:
            await payments(session, "/refunds", {"capture": payment["id"], "amount": price})
            raise web.HTTPBadGateway(text="machine did not start; you have been refunded")
        track(request.app, machine, body["customer"])
        earned = await points + price // 100
    finally:
        points.cancel()  # a no-op once it has finished
    return web.json_response({"started": machine, "paid": price, "points": earned})


async def stop_watch(request: web.Request) -> web.Response:
    task = request.app["watchers"].get(request.match_info["machine"])
    if task is not None:
        task.cancel()
    return web.json_response({"watching": task is not None})


async def lifecycle(app: web.Application):
    app["watchers"] = {}
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=20)) as session:
        app["http"] = session
        yield
        watchers = list(app["watchers"].values())
        for task in watchers:
            task.cancel()
        await asyncio.gather(*watchers, return_exceptions=True)


def make_app() -> web.Application:
    app = web.Application()
    app.cleanup_ctx.append(lifecycle)
    app.router.add_post("/machines/{machine}/start", start_machine)
    app.router.add_delete("/machines/{machine}/watch", stop_watch)
    return app


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    web.run_app(make_app(), port=8095)
