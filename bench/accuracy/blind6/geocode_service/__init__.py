"""Geocoding microservice with a shared upstream session and an in-process cache."""
from .app import build_app

__all__ = ["build_app"]
