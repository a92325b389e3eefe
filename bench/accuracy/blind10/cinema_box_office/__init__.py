"""Independent cinema box office: seat holds, checkout, trailer ingest."""
from .app import make_app

__all__ = ["make_app"]
