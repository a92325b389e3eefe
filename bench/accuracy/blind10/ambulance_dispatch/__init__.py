"""Ambulance dispatch: unit status board, radio paging, vehicle location."""
from .dispatch import app

__all__ = ["app"]
