from .ping import PingPlugin
from .rss import RssPlugin

__all__ = ["PingPlugin", "RssPlugin"]
