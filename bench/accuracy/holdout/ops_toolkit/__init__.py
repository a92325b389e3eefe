"""Ops toolkit: an async status service plus sync management commands."""
