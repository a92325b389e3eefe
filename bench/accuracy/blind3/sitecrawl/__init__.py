from .crawl import crawl_site

__all__ = ["crawl_site"]
