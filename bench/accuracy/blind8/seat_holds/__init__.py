"""Seat holds for a concert ticketing site: hold a seat for 10 minutes, then pay."""
from .api import app

__all__ = ["app"]
