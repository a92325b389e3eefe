"""Night-time observation queue for the university's 0.6 m telescope."""

__all__ = ["scheduler"]
__version__ = "0.9.1"
