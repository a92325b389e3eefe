"""Newsletter sender for a community radio station: `python -m newsletter send-due`."""
from .cli import cli

__all__ = ["cli"]
