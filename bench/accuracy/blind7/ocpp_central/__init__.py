"""OCPP 2.0.1 central system for the depot's EV chargers."""

from .server import main

__all__ = ["main"]
