"""Aeration fan control for the co-op's grain silos (temperature cables + EMC)."""

__all__ = ["controller"]
__version__ = "0.9.4"
