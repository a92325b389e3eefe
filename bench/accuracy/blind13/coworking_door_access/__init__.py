"""Badge readers and door relays for the Millrace coworking building."""
from .server import make_app

__all__ = ["make_app"]
