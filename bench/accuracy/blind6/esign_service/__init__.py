"""E-signature service: stamps signatures onto PDFs and notifies the signers."""
from .app import app

__all__ = ["app"]
