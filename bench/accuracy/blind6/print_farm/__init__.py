"""3D print farm dispatcher: slices uploads and sends them to idle OctoPrint hosts."""
from .app import create_app

__all__ = ["create_app"]
