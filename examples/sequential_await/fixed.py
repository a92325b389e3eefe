"""Independent requests run together, bounded; dependent ones stay in order (clean).

``crawl`` starts one task per URL in an ``asyncio.TaskGroup`` and a semaphore
keeps at most ten in flight, so ten pages take as long as one.
``all_items`` is a pagination loop: each request needs the cursor returned
by the previous one, so its awaits *must* be sequential, and asyncdoctor
does not flag it.
"""

import asyncio
import time


async def fetch(url: str) -> str:
    await asyncio.sleep(0.1)  # stands in for an HTTP request
    return f"<html>{url}</html>"


async def crawl(urls: list[str], limit: int = 10) -> list[str]:
    semaphore = asyncio.Semaphore(limit)

    async def bounded(url: str) -> str:
        async with semaphore:
            return await fetch(url)

    async with asyncio.TaskGroup() as tg:
        tasks = [tg.create_task(bounded(url)) for url in urls]
    return [task.result() for task in tasks]


async def fetch_page(cursor: int | None) -> tuple[list[str], int | None]:
    await asyncio.sleep(0.05)  # stands in for GET /items?cursor=...
    start = cursor or 0
    next_cursor = start + 3 if start + 3 < 9 else None
    return [f"item-{i}" for i in range(start, start + 3)], next_cursor


async def all_items(max_pages: int = 100) -> list[str]:
    items: list[str] = []
    cursor: int | None = None
    for _ in range(max_pages):
        page, cursor = await fetch_page(cursor)  # needs the previous cursor
        items.extend(page)
        if cursor is None:
            break
    return items


async def main() -> None:
    urls = [f"https://example.com/page/{i}" for i in range(10)]
    start = time.perf_counter()
    pages = await crawl(urls)
    print(f"{len(pages)} pages in {time.perf_counter() - start:.1f}s")
    print(f"{len(await all_items())} items from a paginated API")


if __name__ == "__main__":
    asyncio.run(main())
