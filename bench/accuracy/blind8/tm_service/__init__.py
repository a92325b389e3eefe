"""Translation memory service: fuzzy TM lookups first, machine translation for the rest."""
from .app import app

__all__ = ["app"]
