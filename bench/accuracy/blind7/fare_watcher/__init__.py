"""Airline fare watcher: checks routes on Amadeus and alerts on Telegram."""

from .watcher import FareWatcher

__all__ = ["FareWatcher"]
