"""Zendesk ticket router: classifies new tickets and assigns a group (taskiq)."""

from .worker import broker

__all__ = ["broker"]
