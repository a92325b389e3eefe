"""eCRF collector for the TRIAL-0427 study: site coordinators submit visit forms."""
from .app import app

__all__ = ["app"]
