"""Livestock market sale ring: weighing, live screens, movement reporting."""
from .ring import SaleRing

__all__ = ["SaleRing"]
