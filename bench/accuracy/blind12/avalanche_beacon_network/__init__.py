"""Snowpack stations of an avalanche warning service, polled over radio."""
from .monitor import main

__all__ = ["main"]
