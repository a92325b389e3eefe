"""First-notice-of-loss intake for a regional motor insurer."""

__all__ = ["api"]
__version__ = "2.3.0"
