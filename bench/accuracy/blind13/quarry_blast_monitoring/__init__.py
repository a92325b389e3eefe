"""Ground vibration monitoring around Hollins Edge limestone quarry."""
from .watch import run

__all__ = ["run"]
