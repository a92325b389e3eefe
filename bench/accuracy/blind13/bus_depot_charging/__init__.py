"""Overnight charging planner for the Northgate battery-electric bus depot."""
from .scheduler import DepotScheduler

__all__ = ["DepotScheduler"]
