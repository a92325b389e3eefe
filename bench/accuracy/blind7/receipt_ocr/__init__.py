"""Receipt OCR service for the expenses app (FastAPI)."""

from .app import app

__all__ = ["app"]
