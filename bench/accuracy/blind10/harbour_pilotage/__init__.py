"""Harbour pilotage: ship movements, tidal windows, pilot rosters."""
from .app import app

__all__ = ["app"]
