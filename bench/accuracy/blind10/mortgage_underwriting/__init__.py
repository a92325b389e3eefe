"""Residential mortgage underwriting service (broker applications)."""
from .api import app

__all__ = ["app"]
