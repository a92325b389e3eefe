"""Drip irrigation controller for the orchard blocks (Modbus valve boxes)."""

__all__ = ["controller"]
__version__ = "1.2.0"
