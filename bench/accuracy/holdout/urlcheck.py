#!/usr/bin/env python3
"""urlcheck: HEAD every URL in a file and print the status codes.

    urlcheck links.txt --timeout 5
"""
import argparse
import asyncio
import sys

import httpx


async def check(client, url):
    try:
        r = await client.head(url, follow_redirects=True)
        return url, r.status_code
    except httpx.HTTPError as exc:
        return url, type(exc).__name__


async def run(urls, timeout):
    client = httpx.AsyncClient(timeout=timeout, headers={"User-Agent": "urlcheck/1.2"})  # bug: ADC401
    results = await asyncio.gather(*(check(client, u) for u in urls))  # bug: ADC502
    bad = 0
    for url, status in results:
        ok = isinstance(status, int) and status < 400
        bad += not ok
        print(f"{status}\t{url}")
    return bad


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file", type=argparse.FileType("r"))
    ap.add_argument("--timeout", type=float, default=10.0)
    args = ap.parse_args()
    urls = [line.strip() for line in args.file if line.strip() and not line.startswith("#")]
    bad = asyncio.run(run(urls, args.timeout))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
