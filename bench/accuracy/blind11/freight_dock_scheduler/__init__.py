"""Dock door appointments for the Moerdijk cross-dock."""

__all__ = ["app"]
__version__ = "2.3.1"
