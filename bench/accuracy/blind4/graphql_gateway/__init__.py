"""Federating GraphQL gateway (Ariadne) in front of the user and order services."""
from .schema import make_app

__all__ = ["make_app"]
