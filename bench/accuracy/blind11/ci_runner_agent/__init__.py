"""Self-hosted CI runner agent: takes jobs from the coordinator, runs them in docker."""

__all__ = ["agent"]
__version__ = "3.2.0"
