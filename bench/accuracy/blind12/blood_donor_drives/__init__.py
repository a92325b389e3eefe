"""Mobile blood donation drives: venues, nearby drives, donor reminders."""
from .app import app

__all__ = ["app"]
