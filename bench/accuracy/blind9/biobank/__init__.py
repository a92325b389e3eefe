"""Sample tracking for the population biobank: freezers, labels, consent."""

__all__ = ["api"]
__version__ = "0.14.0"
