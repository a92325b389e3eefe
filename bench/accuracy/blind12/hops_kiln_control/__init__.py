"""Control of the hop kilns (oasts) on a hop farm during the harvest."""
from .controller import main

__all__ = ["main"]
