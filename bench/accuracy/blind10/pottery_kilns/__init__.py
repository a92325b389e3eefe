"""Community pottery studio: kiln firings over MQTT, firing log, alerts."""
from .controller import main

__all__ = ["main"]
