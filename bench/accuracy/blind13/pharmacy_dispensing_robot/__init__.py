"""Inpatient pharmacy: e-prescriptions in, packs out of the dispensing robot."""
from .api import app

__all__ = ["app"]
