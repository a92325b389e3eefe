"""Operations API for the town's district heating network."""

__all__ = ["service"]
__version__ = "5.1.0"
