from __future__ import annotations

import re
from urllib.parse import urldefrag, urljoin, urlparse

_HREF = re.compile(r"""href\s*=\s*["']([^"'#]+)""", re.I)
_LOC = re.compile(r"<loc>\s*([^<\s]+)\s*</loc>", re.I)


def extract_links(base_url: str, html: str) -> set[str]:
    host = urlparse(base_url).netloc
    links = set()
    for href in _HREF.findall(html):
        url, _ = urldefrag(urljoin(base_url, href))
        if urlparse(url).netloc == host and url.startswith(("http://", "https://")):
            links.add(url)
    return links


def sitemap_locations(xml: str) -> list[str]:
    return _LOC.findall(xml)


def robots_sitemaps(robots_txt: str) -> list[str]:
    return [
        line.split(":", 1)[1].strip()
        for line in robots_txt.splitlines()
        if line.lower().startswith("sitemap:")
    ]
