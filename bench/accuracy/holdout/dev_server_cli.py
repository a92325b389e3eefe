#!/usr/bin/env python3
"""Local mock of the partner API for frontend development.

    python dev_server_cli.py --fixtures fixtures/ --port 8081
"""
import argparse
import asyncio
import getpass
import json
import logging
import time
from pathlib import Path

from aiohttp import web

log = logging.getLogger("mock")


def load_fixtures(folder: Path) -> dict[str, object]:
    fixtures = {}
    for path in sorted(folder.glob("*.json")):
        with open(path, encoding="utf-8") as fh:
            fixtures["/" + path.stem.replace("__", "/")] = json.load(fh)
    return fixtures


def make_app(fixtures: dict[str, object], latency: float) -> web.Application:
    async def handler(request: web.Request) -> web.Response:
        await asyncio.sleep(latency)
        body = fixtures.get(request.path)
        if body is None:
            return web.json_response({"error": "no fixture"}, status=404)
        return web.json_response(body)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    return app


async def serve(app: web.Application, port: int) -> None:
    runner = web.AppRunner(app)
    await runner.setup()
    try:
        await web.TCPSite(runner, "127.0.0.1", port).start()
        log.info("mock API on http://127.0.0.1:%d", port)
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--fixtures", type=Path, default=Path("fixtures"))
    ap.add_argument("--port", type=int, default=8081)
    ap.add_argument("--latency", type=float, default=0.05)
    ap.add_argument("--ask-token", action="store_true")
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO)

    fixtures = load_fixtures(args.fixtures)
    if args.ask_token:
        token = getpass.getpass("partner token (stored nowhere): ")
        fixtures["/whoami"] = {"token_prefix": token[:4]}
    if not fixtures:
        answer = input("no fixtures found; start anyway? [y/N] ")
        if answer.lower() != "y":
            return
    started = time.time()
    try:
        asyncio.run(serve(make_app(fixtures, args.latency), args.port))
    except KeyboardInterrupt:
        log.info("stopped after %.0fs", time.time() - started)


if __name__ == "__main__":
    main()
