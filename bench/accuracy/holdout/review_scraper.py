"""Pull app-store reviews for all our apps, bounded to a few requests at a time."""
import asyncio
import json
import logging
import sys

import aiohttp

log = logging.getLogger("reviews")

MAX_PARALLEL = 6
FEED = "https://itunes.apple.com/{country}/rss/customerreviews/page={page}/id={app_id}/sortby=mostrecent/json"


async def reviews_for(session, sem, app_id, country):
    out = []
    page = 1
    while page <= 10:
        async with sem:
            async with session.get(FEED.format(country=country, page=page, app_id=app_id)) as r:
                if r.status != 200:
                    break
                feed = await r.json(content_type=None)
        entries = feed.get("feed", {}).get("entry", [])
        if not entries:
            break
        out.extend({"app": app_id, "country": country, "rating": e["im:rating"]["label"]} for e in entries)
        page += 1
    return out


async def main(app_ids, countries):
    sem = asyncio.Semaphore(MAX_PARALLEL)
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=20)) as session:
        async with asyncio.TaskGroup() as tg:
            tasks = [
                tg.create_task(reviews_for(session, sem, a, c)) for a in app_ids for c in countries
            ]
    rows = [row for t in tasks for row in t.result()]
    log.info("%d reviews", len(rows))
    return rows


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    ids = sys.argv[1].split(",")
    rows = asyncio.run(main(ids, ["us", "gb", "de", "fr"]))
    with open("reviews.json", "w") as fh:
        json.dump(rows, fh)
