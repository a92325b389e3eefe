"""Playout automation for a community FM station (Liquidsoap back end)."""

__all__ = ["engine"]
__version__ = "3.1.2"
