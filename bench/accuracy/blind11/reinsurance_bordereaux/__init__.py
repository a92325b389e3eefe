"""Monthly premium and claims bordereaux for the quota-share treaties."""

__all__ = ["worker"]
__version__ = "1.14.0"
