"""Per-sample alignment runner for the sequencing core (bwa, samtools, S3)."""

from .runner import SampleRunner

__all__ = ["SampleRunner"]
