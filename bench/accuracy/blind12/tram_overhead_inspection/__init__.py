"""Overhead contact line inspection from the tram network's measuring car."""
from .worker import process_run

__all__ = ["process_run"]
