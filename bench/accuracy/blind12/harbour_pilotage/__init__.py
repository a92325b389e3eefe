"""Pilot dispatch for a tidal harbour: bookings, tidal windows, AIS."""
from .app import create_app

__all__ = ["create_app"]
