"""Germination lab and cold vault service of a wild-plant seed bank."""
from .api import app

__all__ = ["app"]
