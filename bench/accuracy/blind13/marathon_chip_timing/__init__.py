"""Chip timing for the Riverside City Marathon: mats, results, live tracking."""
from .reader import run_mats

__all__ = ["run_mats"]
