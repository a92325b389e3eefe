"""Planned sub-package; see the roadmap in the README."""
