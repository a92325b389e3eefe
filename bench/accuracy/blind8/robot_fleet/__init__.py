"""Fleet controller for the pick robots of warehouse DC-3."""
from .gateway import main

__all__ = ["main"]
