"""Bench automation for the power-stage characterisation rig (PSU + DMM over VISA)."""
from .instruments import Multimeter, PowerSupply
from .runner import SweepRunner

__all__ = ["Multimeter", "PowerSupply", "SweepRunner"]
