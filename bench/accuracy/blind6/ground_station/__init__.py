"""Amateur satellite ground station: pass scheduling, rotator and SDR recording."""
from .scheduler import PassScheduler

__all__ = ["PassScheduler"]
