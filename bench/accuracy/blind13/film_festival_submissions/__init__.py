"""Short film submissions for the Tidewater Film Festival: upload, screener, jury."""
from .api import app

__all__ = ["app"]
