"""Customs entry filing for a freight forwarder (ACE-style broker API)."""

__all__ = ["cli", "broker"]
__version__ = "1.4.0"
