"""HLS transcoding worker: probe the upload, run ffmpeg per rendition, publish to object storage."""
from .jobs import TranscodeJob, run_job

__all__ = ["TranscodeJob", "run_job"]
