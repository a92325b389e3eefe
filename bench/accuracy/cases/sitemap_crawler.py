import asyncio
import logging
import xml.etree.ElementTree as ET

import aiohttp

log = logging.getLogger(__name__)
NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}


async def get_text(session, url):
    async with session.get(url) as resp:
        resp.raise_for_status()
        return await resp.text()


async def sitemap_urls(session, index_url):
    root = ET.fromstring(await get_text(session, index_url))
    sitemaps = [loc.text for loc in root.findall("sm:sitemap/sm:loc", NS)]
    urls = []
    for sitemap in sitemaps:
        child = ET.fromstring(await get_text(session, sitemap))  # bug: ADC501
        urls.extend(loc.text for loc in child.findall("sm:url/sm:loc", NS))
    return urls


async def main(index_url):
    async with aiohttp.ClientSession() as session:
        urls = await sitemap_urls(session, index_url)
    print(f"{len(urls)} urls")


if __name__ == "__main__":
    asyncio.run(main("https://www.example.com/sitemap_index.xml"))
