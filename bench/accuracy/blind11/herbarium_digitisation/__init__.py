"""Imaging line for the herbarium sheet digitisation project."""

__all__ = ["app"]
__version__ = "0.6.2"
